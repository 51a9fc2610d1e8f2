"""Synthetic shop data for the benchmark, written as CSV files in the canonical import shape.

Vectorised numpy, written in chunks: generating 10 million orders needs a few hundred MB
of memory at most. Deterministic for a given seed and size.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

CHANNELS = (
    "Organic Search", "Direct", "Paid Search", "Paid Social", "Email",
    "Organic Social", "Referral", "Affiliates", "SMS", "Display",
)
PAID = {"Paid Search": "google_ads", "Paid Social": "meta", "Affiliates": "awin", "Display": "dv360", "SMS": "sms"}
NETWORKS = ("instagram", "facebook", "tiktok", "linkedin")
ORDER_CHUNK = 500_000


@dataclass(frozen=True)
class Size:
    orders: int
    customers: int
    campaigns: int
    channels: int
    years: int
    as_of: date
    seed: int = 1

    @property
    def days(self) -> list[date]:
        first = self.as_of - timedelta(days=365 * self.years)
        return [first + timedelta(days=i) for i in range((self.as_of - first).days)]

    def key(self) -> str:
        return json.dumps({**asdict(self), "as_of": self.as_of.isoformat()}, sort_keys=True)


def campaigns(size: Size) -> pd.DataFrame:
    """campaign, channel, source_medium, platform (paid channels only), base daily sessions."""
    channels = CHANNELS[: size.channels]
    rows = []
    for i in range(size.campaigns):
        channel = channels[i % len(channels)]
        slug = channel.lower().replace(" ", "_")
        rows.append({"campaign": f"c{i:04d}_{slug}", "channel": channel,
                     "source_medium": f"{slug} / {'cpc' if channel in PAID else 'referral'}",
                     "platform": PAID.get(channel), "weight": 1.0 + (i * 7919 % 97) / 10})
    frame = pd.DataFrame(rows)
    frame["weight"] /= frame["weight"].sum()
    return frame


def _write(frame: pd.DataFrame, path: Path, first: bool) -> None:
    frame.to_csv(path, mode="w" if first else "a", header=first, index=False, float_format="%.2f")


def generate(size: Size, out: Path) -> dict[str, Path]:
    """Write every kind's CSV under ``out`` (skipped when ``out`` already holds this size)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / f"{k}.csv" for k in ("orders", "web", "ad_spend", "email", "social", "feedback", "tickets")}
    stamp = out / "size.json"
    if stamp.exists() and stamp.read_text() == size.key() and all(p.exists() for p in paths.values()):
        return paths
    rng = np.random.default_rng(size.seed)
    camp = campaigns(size)
    days = pd.to_datetime(pd.Series(size.days))
    n_days = len(days)
    t0 = days.iloc[0].value // 10**9
    span = n_days * 86400

    # orders: chronological chunks; customers with a skewed repeat pattern
    chunks = max(1, -(-size.orders // ORDER_CHUNK))
    written = 0
    for i in range(chunks):
        n = min(ORDER_CHUNK, size.orders - written)
        seconds = np.sort(rng.uniform(i * span / chunks, (i + 1) * span / chunks, n)).astype(np.int64) + t0
        cust = (rng.pareto(1.2, n) * size.customers / 20).astype(np.int64) % size.customers
        which = rng.choice(len(camp), n, p=camp["weight"].to_numpy())
        revenue = np.round(rng.lognormal(4.0, 0.6, n), 2)
        refunded = np.where(rng.random(n) < 0.04, np.round(revenue * rng.uniform(0.1, 1, n), 2), 0.0)
        frame = pd.DataFrame({
            "order_id": pd.Series(np.arange(written, written + n)).map("O{:010d}".format),
            "ordered_at": pd.to_datetime(seconds, unit="s").strftime("%Y-%m-%d %H:%M:%S"),
            "customer_id": pd.Series(cust).map("C{:09d}".format),
            "revenue": revenue, "refunded": refunded,
            "channel": camp["channel"].to_numpy()[which], "campaign": camp["campaign"].to_numpy()[which],
        })
        _write(frame, paths["orders"], i == 0)
        written += n

    # daily facts per campaign
    grid = pd.DataFrame({"date": np.repeat(days.dt.strftime("%Y-%m-%d").to_numpy(), len(camp)),
                         "ci": np.tile(np.arange(len(camp)), n_days)})
    c = camp.iloc[grid["ci"]].reset_index(drop=True)
    daily_orders = size.orders / n_days
    sessions = rng.poisson(np.maximum(1, daily_orders * 40 * c["weight"].to_numpy()))
    engaged = rng.binomial(sessions, 0.6)
    web = pd.DataFrame({
        "date": grid["date"], "channel": c["channel"], "source_medium": c["source_medium"],
        "campaign": c["campaign"], "sessions": sessions, "engaged_sessions": engaged,
        "new_users": rng.binomial(sessions, 0.4), "page_views": sessions * 3,
        "engagement_seconds": np.round(engaged * rng.uniform(40, 90, len(grid)), 1),
        "key_events": rng.binomial(sessions, 0.03).astype(float), "purchases": rng.binomial(sessions, 0.025),
        "purchase_revenue": np.round(rng.binomial(sessions, 0.025) * 60.0, 2),
    })
    _write(web, paths["web"], True)
    paid = c["platform"].notna().to_numpy()
    clicks = rng.binomial(sessions[paid], 0.8)
    ads = pd.DataFrame({
        "date": grid["date"][paid], "platform": c["platform"][paid], "campaign": c["campaign"][paid],
        "channel": c["channel"][paid], "impressions": clicks * 40 + 1, "clicks": clicks,
        "cost": np.round(clicks * rng.uniform(0.2, 1.2, paid.sum()), 2),
    })
    _write(ads, paths["ad_spend"], True)
    mail = (c["channel"] == "Email").to_numpy()
    sent = rng.integers(1000, 20000, mail.sum())
    delivered = (sent * 0.97).astype(int)
    opens = rng.binomial(delivered, 0.35)
    email = pd.DataFrame({
        "date": grid["date"][mail], "campaign": c["campaign"][mail], "sent": sent, "delivered": delivered,
        "unique_opens": opens, "unique_clicks": rng.binomial(opens, 0.1),
        "unsubscribes": rng.binomial(delivered, 0.002), "bounces": sent - delivered,
    })
    _write(email, paths["email"], True)
    sgrid = pd.DataFrame({"date": np.repeat(days.dt.strftime("%Y-%m-%d").to_numpy(), len(NETWORKS)),
                          "network": np.tile(NETWORKS, n_days)})
    growth = np.repeat(np.arange(n_days), len(NETWORKS))
    social = sgrid.assign(followers=10_000 + growth * 5 + rng.integers(0, 3, len(sgrid)),
                          impressions=rng.poisson(20_000, len(sgrid)), engagements=rng.poisson(900, len(sgrid)))
    _write(social, paths["social"], True)
    n_fb = max(10, size.orders // 20)
    kind = np.where(rng.random(n_fb) < 0.5, "csat", "nps")
    fb_days = np.sort(rng.integers(0, n_days, n_fb))
    feedback = pd.DataFrame({
        "response_id": pd.Series(np.arange(n_fb)).map("R{:09d}".format),
        "date": days.dt.strftime("%Y-%m-%d").to_numpy()[fb_days], "kind": kind,
        "score": np.where(kind == "csat", rng.integers(1, 6, n_fb), rng.integers(0, 11, n_fb)),
        "channel": np.array(CHANNELS[: size.channels])[rng.integers(0, size.channels, n_fb)],
    })
    _write(feedback, paths["feedback"], True)
    n_t = max(10, size.orders // 50)
    opened = np.sort(rng.integers(0, span, n_t)) + t0
    tickets = pd.DataFrame({
        "ticket_id": pd.Series(np.arange(n_t)).map("T{:09d}".format),
        "opened_at": pd.to_datetime(opened, unit="s").strftime("%Y-%m-%d %H:%M:%S"),
        "first_response_at": pd.to_datetime(opened + rng.integers(60, 86400, n_t), unit="s")
        .strftime("%Y-%m-%d %H:%M:%S"),
    })
    _write(tickets, paths["tickets"], True)
    stamp.write_text(size.key())
    return paths
