"""Demo source: a deterministic fictional online shop ("Northwind Outfitters").

About two years of data up to the day before ``as_of`` for every kind, with
weekly seasonality, a year-end promotion spike (Black Friday to Christmas), one
paid campaign with poor return on ad spend (``tiktok_broad_prospecting``),
a subject-line A/B test of two email campaigns (``newsletter_subject_a``/``_b``),
returning customers, and plan targets for the current quarter. It loads through
``connectors.loader.load``, the same path as every real connector.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from access.audit import record
from access.roles import SYSTEM, Actor, require
from connectors.demo_data import DEMO_SOURCE, MixedWithOwnData, own_sources
from connectors.demo_data import uses_demo_data as uses_demo_data  # re-exported for its callers (ui/data.py)
from connectors.loader import LoadResult, load

POOR_ROAS_CAMPAIGN = "tiktok_broad_prospecting"
DEFAULT_SEED = 7
REMOVAL_HOLDER = "demo --remove"


@dataclass(frozen=True)
class Campaign:
    channel: str
    source_medium: str
    name: str
    sessions: float  # base sessions per day
    cvr: float  # orders per session
    returning: float  # share of orders from returning customers
    platform: str | None = None  # ad platform for paid campaigns
    cpc: float = 0.0
    ctr: float = 0.02
    months: tuple[int, ...] = ()  # active only in these months (promotions)


CAMPAIGNS: tuple[Campaign, ...] = (
    Campaign("Organic Search", "google / organic", "(organic)", 820, 0.021, 0.30),
    Campaign("Organic Search", "bing / organic", "(organic)", 90, 0.019, 0.30),
    Campaign("Direct", "(direct) / (none)", "(direct)", 560, 0.030, 0.60),
    Campaign("Referral", "outdoorblog.example / referral", "(referral)", 80, 0.017, 0.25),
    Campaign("Referral", "gearreview.example / referral", "(referral)", 45, 0.022, 0.25),
    Campaign("Organic Social", "instagram / social", "(organic)", 95, 0.007, 0.35),
    Campaign("Organic Social", "facebook / social", "(organic)", 60, 0.006, 0.35),
    Campaign("Organic Social", "tiktok / social", "(organic)", 70, 0.004, 0.20),
    Campaign("Paid Search", "google / cpc", "brand_search", 240, 0.045, 0.45, "google_ads", 0.35, 0.09),
    Campaign("Paid Search", "google / cpc", "generic_hiking_boots", 290, 0.017, 0.20, "google_ads", 0.95, 0.035),
    Campaign("Paid Search", "google / cpc", "generic_backpacks", 170, 0.015, 0.20, "google_ads", 0.85, 0.03),
    Campaign("Paid Search", "google / cpc", "shopping_pmax", 330, 0.021, 0.25, "google_ads", 0.60, 0.012),
    Campaign("Paid Search", "google / cpc", "generic_tents", 120, 0.016, 0.20, "google_ads", 0.90, 0.03),
    Campaign("Paid Search", "google / cpc", "competitor_terms", 75, 0.011, 0.15, "google_ads", 1.40, 0.025),
    Campaign("Paid Search", "bing / cpc", "bing_brand", 40, 0.032, 0.40, "microsoft_ads", 0.40, 0.07),
    Campaign("Paid Search", "google / cpc", "black_friday_search", 420, 0.038, 0.35, "google_ads", 0.75, 0.05,
             months=(11, 12)),
    Campaign("Paid Social", "facebook / paid_social", "meta_prospecting", 290, 0.009, 0.10, "meta", 0.55, 0.011),
    Campaign("Paid Social", "facebook / paid_social", "meta_retargeting", 115, 0.032, 0.50, "meta", 0.70, 0.015),
    Campaign("Paid Social", "facebook / paid_social", "meta_catalog_dpa", 140, 0.022, 0.35, "meta", 0.60, 0.013),
    Campaign("Paid Social", "youtube / paid_video", "youtube_brand_video", 70, 0.006, 0.15, "google_ads", 0.30,
             0.004),
    Campaign("Paid Social", "instagram / paid_social", "instagram_reels", 190, 0.008, 0.10, "meta", 0.45, 0.009),
    Campaign("Paid Social", "tiktok / paid_social", POOR_ROAS_CAMPAIGN, 260, 0.0016, 0.05, "tiktok", 1.10, 0.008),
    Campaign("Paid Social", "pinterest / paid_social", "pinterest_inspiration", 55, 0.008, 0.10, "pinterest", 0.50,
             0.01),
    Campaign("Paid Social", "facebook / paid_social", "black_friday_social", 300, 0.024, 0.30, "meta", 0.65, 0.014,
             months=(11, 12)),
    Campaign("Affiliates", "awin / affiliate", "awin_network", 85, 0.028, 0.20, "awin", 0.0),
    Campaign("Affiliates", "creators / affiliate", "influencer_codes", 60, 0.020, 0.15, "awin", 0.0),
    Campaign("Affiliates", "cashback / affiliate", "cashback_sites", 40, 0.040, 0.40, "awin", 0.0),
    Campaign("SMS", "sms / sms", "sms_flash_sale", 35, 0.050, 0.70, "sms", 0.12, 0.2),
    Campaign("SMS", "sms / sms", "sms_back_in_stock", 20, 0.060, 0.70, "sms", 0.12, 0.2),
)

# Email campaigns: (name, kind, cvr, returning); sessions come from their clicks.
EMAILS = (
    ("newsletter_weekly", "weekly", 0.030, 0.75),
    ("welcome_series", "daily", 0.045, 0.30),
    ("cart_abandonment", "daily", 0.080, 0.50),
    ("winback", "thursday", 0.020, 0.90),
    ("vip_early_access", "monthly", 0.060, 0.90),
    ("black_friday_teaser", "promo", 0.050, 0.70),
)
# A subject-line A/B test: a Thursday product-news email, its audience split in halves, sent in the last
# AB_TEST_DAYS days. B's subject line lifts opens and clicks a little. Drawn from a generator of its own
# (seeded by the seed and the day), so the rest of the demo's random stream, and every other number, is unchanged.
AB_TEST = (("newsletter_subject_a", 0.300, 0.112), ("newsletter_subject_b", 0.318, 0.115))  # open, click per open
AB_TEST_DAYS = 84
SOCIAL_NETWORKS = (("instagram", 42000, 35), ("facebook", 31000, 8), ("tiktok", 8000, 28), ("youtube", 5200, 6))
WEEKDAY = np.array([1.0, 1.04, 1.02, 0.98, 0.94, 0.82, 0.90])  # Monday..Sunday
AOV = 78.0
# The funnel's cart steps per channel: (add-to-carts per session, orders per checkout). A campaign's checkouts per
# session are its orders per session ÷ the second; its add-to-carts per session are the first, or more when the
# campaign converts so well that carts must exceed checkouts (at most 3 in 4 carts reach the checkout). So Paid
# Social adds to carts on impulse and rarely buys (desire leaks before action), e-mail readers come to buy (high
# interest → desire), search visitors convert well.
CART_SHAPES: dict[str, tuple[float, float]] = {
    "Organic Search": (0.085, 0.50), "Direct": (0.10, 0.55), "Referral": (0.075, 0.45),
    "Organic Social": (0.06, 0.35), "Paid Search": (0.09, 0.50), "Paid Social": (0.08, 0.28),
    "Affiliates": (0.10, 0.55), "SMS": (0.12, 0.55), "Email": (0.14, 0.55),
}
# How likely a customer is to come back, by acquisition channel (the channel of the first order), relative to the
# others: a returning order goes to an earlier customer drawn with these weights. Customers won by e-mail, SMS or
# who came direct come back most; prospecting on paid social wins customers who rarely come back, so that channel
# pays back its acquisition cost later than the others (the Cohorts page's LTV:CAC).
REPEAT_PROPENSITY: dict[str, float] = {
    "Email": 1.6, "SMS": 1.4, "Direct": 1.4, "Organic Search": 1.1, "Referral": 1.0, "Paid Search": 1.0,
    "Organic Social": 0.8, "Affiliates": 0.7, "Paid Social": 0.35,
}
RECENT_SHARE, RECENT_DAYS = 0.5, 90  # half the returning orders come from customers won in the last 90 days


def _black_friday(year: int) -> date:
    nov1 = date(year, 11, 1)
    first_friday = nov1 + timedelta(days=(4 - nov1.weekday()) % 7)
    return first_friday + timedelta(weeks=3)


def season_factor(day: date) -> float:
    """Year-end promotion spike: Black Friday weekend, Cyber week, December run-up; quiet January."""
    bf = _black_friday(day.year)
    if bf <= day <= bf + timedelta(days=3):
        return 2.6
    if bf + timedelta(days=4) <= day <= bf + timedelta(days=10):
        return 1.8
    if bf - timedelta(days=7) <= day < bf:
        return 1.25
    if day.month == 12 and day.day <= 22:
        return 1.45
    if day.month == 1:
        return 0.85
    return 1.0


class _Shop:
    """Holds the random generator and the growing customer base while days are generated."""

    def __init__(self, seed: int, start: date, end: date):
        self.rng = np.random.default_rng(seed)
        # who comes back is drawn from generators of their own, so the rest of the demo's random stream is unchanged
        self.pick = random.Random(seed * 0xC0DE + 1)
        self.days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        self.start = start
        self.next_customer = 0
        self.customers_by_day: list[int] = []
        self.acquired: dict[str, list[int]] = {channel: [] for channel in REPEAT_PROPENSITY}  # ids by channel
        self._lists = list(self.acquired.values())
        self.counts_by_day: list[list[int]] = []  # customers per channel acquired before each day
        self._pools: list[tuple[list[int], list[float], float]] = []

    def begin(self) -> None:
        """Start a day: the customers acquired before it are the ones who can come back on it (see
        :meth:`returning`); the last RECENT_DAYS days' of them are the recent ones."""
        self.counts_by_day.append([len(ids) for ids in self._lists])
        self._pools = self._weighted_pools(self.counts_by_day[-1])

    def _weighted_pools(self, now: list[int]) -> list[tuple[list[int], list[float], float]]:
        """(first customer index, weighted sizes, their total) per channel: all earlier customers, the recent ones."""
        back = self.counts_by_day[max(0, len(self.counts_by_day) - 1 - RECENT_DAYS)]
        pools = []
        for low in ([0] * len(now), back):
            sizes = [(n - lo) * w for n, lo, w in zip(now, low, REPEAT_PROPENSITY.values())]
            pools.append((list(low), sizes, sum(sizes)))
        return pools

    def factor(self, day: date) -> float:
        trend = 1.0 + 0.22 * (day - self.start).days / 365
        return WEEKDAY[day.weekday()] * season_factor(day) * trend

    def customers(self, returning_share: float, n: int, channel: str) -> np.ndarray:
        """Customer numbers for ``n`` orders of ``channel``: new ones are acquired through it, returning ones are
        earlier customers (see :meth:`returning`)."""
        returning = self.rng.random(n) < returning_share if self.next_customer > 50 else np.zeros(n, bool)
        ids = np.empty(n, dtype=np.int64)
        if returning.any():
            self.rng.integers(0, self.next_customer, returning.sum())  # kept: the demo's random stream is unchanged
            ids[returning] = self.returning(int(returning.sum()))
        fresh = (~returning).sum()
        ids[~returning] = np.arange(self.next_customer, self.next_customer + fresh)
        self.acquired[channel].extend(range(self.next_customer, self.next_customer + fresh))
        self.next_customer += fresh
        return ids

    def returning(self, k: int) -> list[int]:
        """``k`` earlier customers: a channel drawn by its customers × REPEAT_PROPENSITY, then one of its customers,
        half the time among those acquired in the last RECENT_DAYS days (returns cluster after a first order)."""
        pools = self._pools if self._pools[0][2] else self._weighted_pools([len(ids) for ids in self._lists])
        draw, weights, ids = self.pick.random, list(REPEAT_PROPENSITY.values()), []
        for _ in range(k):
            low, sizes, total = pools[1] if draw() < RECENT_SHARE and pools[1][2] else pools[0]
            x = draw() * total  # one number picks the channel and the customer in it
            channel = 0
            while x >= sizes[channel] and channel < len(sizes) - 1:
                x -= sizes[channel]
                channel += 1
            customers = self._lists[channel]
            ids.append(customers[min(low[channel] + int(x / weights[channel]), len(customers) - 1)])
        return ids


def _email_sends(day: date, kind: str, list_size: float) -> float:
    bf = _black_friday(day.year)
    if kind == "weekly":
        return list_size if day.weekday() == 1 else 0
    if kind == "daily":
        return 150 if day.weekday() < 5 else 110
    if kind == "thursday":
        return list_size * 0.2 if day.weekday() == 3 else 0
    if kind == "monthly":
        return list_size * 0.1 if day.day <= 7 and day.weekday() == 0 else 0
    return list_size if bf - timedelta(days=6) <= day <= bf else 0


def generate(as_of: date | None = None, seed: int = DEFAULT_SEED, days: int = 730) -> dict[str, pd.DataFrame]:
    """All demo data (canonical shapes, keyed by kind), ending the day before ``as_of``."""
    as_of = as_of or date.today()
    end = as_of - timedelta(days=1)
    shop = _Shop(seed, end - timedelta(days=days - 1), end)
    rng = shop.rng
    carts = np.random.default_rng([seed, 0xCA27])  # the funnel's cart steps: their own stream (see AB_TEST)
    web, orders, ads, emails, social, feedback, tickets = [], [], [], [], [], [], []
    followers = {name: float(base) for name, base, _ in SOCIAL_NETWORKS}
    order_no = 100000

    def add_orders(day: date, count: int, channel: str, campaign: str, returning: float, aov: float) -> float:
        nonlocal order_no
        if count == 0:
            return 0.0
        values = np.round(rng.lognormal(np.log(aov) - 0.18, 0.6, count), 2)
        refunded = np.where(rng.random(count) < 0.04, values, 0.0)
        seconds = np.sort(rng.integers(6 * 3600, 24 * 3600 - 1, count))
        customers = shop.customers(returning, count, channel)
        for value, refund, second, customer in zip(values, refunded, seconds, customers):
            order_no += 1
            orders.append((f"NW-{order_no}", pd.Timestamp(day) + pd.Timedelta(seconds=int(second)),
                           f"C{customer:06d}", float(value), float(refund), channel, campaign))
        return float(values.sum())

    for day in shop.days:
        shop.begin()
        f = shop.factor(day)
        promo = season_factor(day) > 1.2
        revenue_by_campaign: dict[str, float] = {}
        for c in CAMPAIGNS:
            if c.months and day.month not in c.months or (c.months and not promo and day.month == 11):
                continue
            sessions = int(rng.poisson(c.sessions * f))
            cvr = c.cvr * (1.3 if promo else 1.0)
            n_orders = int(rng.binomial(sessions, min(cvr, 1.0)))
            revenue = add_orders(day, n_orders, c.channel, c.name, c.returning, AOV * (0.9 if promo else 1.0))
            revenue_by_campaign[c.name] = revenue
            web.append(_web_row(rng, day, c.channel, c.source_medium, c.name, sessions, n_orders, revenue)
                       + _cart_steps(carts, c.channel, sessions, n_orders, cvr))
            if c.platform:
                clicks = int(sessions * rng.uniform(1.03, 1.12))
                cost = revenue * 0.09 if c.platform == "awin" else clicks * c.cpc * rng.uniform(0.9, 1.1)
                impressions = int(clicks / (c.ctr * rng.uniform(0.85, 1.15))) if c.ctr else clicks * 20
                ads.append((day, c.platform, c.name, c.channel, impressions, clicks, round(cost, 2)))
        list_size = 38000 + 20 * (day - shop.start).days
        for name, kind, cvr, returning in EMAILS:
            sent = int(_email_sends(day, kind, list_size) * rng.uniform(0.97, 1.03))
            if sent == 0:
                continue
            delivered = int(sent * rng.uniform(0.975, 0.99))
            opens = int(rng.binomial(delivered, 0.36 if kind == "daily" else 0.31))
            clicks = int(rng.binomial(opens, 0.11))
            emails.append((day, name, sent, delivered, opens, clicks, int(rng.binomial(delivered, 0.0025)),
                           sent - delivered))
            sessions = int(clicks * 1.25)
            n_orders = int(rng.binomial(sessions, cvr))
            revenue = add_orders(day, n_orders, "Email", name, returning, AOV)
            web.append(_web_row(rng, day, "Email", "newsletter / email", name, sessions, n_orders, revenue)
                       + _cart_steps(carts, "Email", sessions, n_orders, cvr))
        if (end - day).days < AB_TEST_DAYS and day.weekday() == 3:
            emails.extend(_ab_test_sends(seed, day, list_size))
        for name, _, growth in SOCIAL_NETWORKS:
            followers[name] += growth * rng.uniform(0.2, 1.8) * (1.5 if promo else 1.0)
            impressions = int(followers[name] * rng.uniform(0.15, 0.35))
            social.append((day, name, int(followers[name]), impressions,
                           int(rng.binomial(impressions, 0.038 if name != "tiktok" else 0.061))))
        december = 1.0 if not promo else 1.8
        for kind, mean, scores, weights in (
            ("csat", 12, np.arange(1, 6), np.array([0.04, 0.05, 0.11, 0.35, 0.45])),
            ("nps", 6, np.arange(0, 11), np.array([1, 1, 1, 1, 2, 3, 5, 14, 22, 25, 25], float)),
        ):
            n = int(rng.poisson(mean * december))
            w = weights / weights.sum()
            if promo:  # slower shipping in the peak: a little less satisfied
                w = np.roll(w, -1) * 0.15 + w * 0.85
                w = w / w.sum()
            for score in rng.choice(scores, n, p=w):
                feedback.append((f"{kind.upper()}-{len(feedback) + 1:07d}", day, kind, int(score),
                                 str(rng.choice(["Organic Search", "Direct", "Paid Search", "Email", "Paid Social"]))))
        for _ in range(int(rng.poisson(24 * december))):
            opened = pd.Timestamp(day) + pd.Timedelta(minutes=int(rng.integers(7 * 60, 22 * 60)))
            minutes = float(rng.lognormal(np.log(70 * (1.9 if promo else 1.0)), 0.7))
            responded = opened + pd.Timedelta(minutes=round(minutes, 1))
            tickets.append((f"T-{len(tickets) + 1:07d}", opened,
                            responded if responded < pd.Timestamp(as_of) else None))

    return {
        "web": pd.DataFrame(web, columns=["date", "channel", "source_medium", "campaign", "sessions",
                                          "engaged_sessions", "new_users", "page_views", "engagement_seconds",
                                          "key_events", "purchases", "purchase_revenue", "add_to_carts",
                                          "checkouts"]),
        "orders": pd.DataFrame(orders, columns=["order_id", "ordered_at", "customer_id", "revenue", "refunded",
                                                "channel", "campaign"]),
        "ad_spend": pd.DataFrame(ads, columns=["date", "platform", "campaign", "channel", "impressions", "clicks",
                                               "cost"]),
        "email": pd.DataFrame(emails, columns=["date", "campaign", "sent", "delivered", "unique_opens",
                                               "unique_clicks", "unsubscribes", "bounces"]),
        "social": pd.DataFrame(social, columns=["date", "network", "followers", "impressions", "engagements"]),
        "feedback": pd.DataFrame(feedback, columns=["response_id", "date", "kind", "score", "channel"]),
        "tickets": pd.DataFrame(tickets, columns=["ticket_id", "opened_at", "first_response_at"]),
    }


def _ab_test_sends(seed: int, day: date, list_size: float) -> list[tuple]:
    """The subject-line test's two email rows of one send day (its own generator: see AB_TEST)."""
    rng = np.random.default_rng([seed, day.toordinal(), 0xAB])
    half = int(list_size * 0.2 / 2)
    rows = []
    for name, open_rate, click_per_open in AB_TEST:
        sent = int(half * rng.uniform(0.995, 1.005))
        delivered = int(sent * rng.uniform(0.975, 0.99))
        opens = int(rng.binomial(delivered, open_rate))
        clicks = int(rng.binomial(opens, click_per_open))
        rows.append((day, name, sent, delivered, opens, clicks, int(rng.binomial(delivered, 0.0025)),
                     sent - delivered))
    return rows


def _web_row(rng, day, channel, source_medium, campaign, sessions, n_orders, revenue) -> tuple:
    engaged = int(rng.binomial(sessions, 0.62 if channel != "Paid Social" else 0.48))
    return (day, channel, source_medium, campaign, sessions, engaged,
            int(rng.binomial(sessions, 0.55 if channel not in ("Direct", "Email") else 0.25)),
            int(sessions * rng.uniform(2.6, 3.8)), round(engaged * rng.uniform(70, 110), 1),
            float(n_orders + rng.binomial(sessions, 0.04)), int(round(n_orders * 0.96)), round(revenue * 0.97, 2))


def _cart_steps(rng, channel: str, sessions: int, n_orders: int, cvr: float) -> tuple[int, int]:
    """(add-to-carts, checkouts) of one web row, shaped by the channel (CART_SHAPES): every order went through a
    checkout, and every checkout through a cart, so add-to-carts ≥ checkouts ≥ orders ≥ purchases."""
    carts_rate, close = CART_SHAPES[channel]
    checkout_rate = min(cvr / close, 0.9)
    carts_rate = min(max(carts_rate, checkout_rate / 0.75), 0.95)
    left = sessions - n_orders
    checkouts = n_orders + int(rng.binomial(left, max(checkout_rate - cvr, 0.0) / max(1.0 - cvr, 1e-9)))
    left = sessions - checkouts
    carts = checkouts + int(rng.binomial(max(left, 0), (carts_rate - checkout_rate) / (1.0 - checkout_rate)))
    return carts, checkouts


def load_demo(
    engine: Engine,
    as_of: date | None = None,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str, int, int], None] | None = None,
    days: int = 730,
) -> dict[str, LoadResult]:
    """Generate and load the demo shop (``days`` of data) through the common load path, then its plan targets.

    Refuses (:class:`MixedWithOwnData`, nothing loaded) when the warehouse holds the owner's own data: the two
    could never be told apart again.
    """
    from metrics.targets import demo_targets, save_targets

    with engine.connect() as conn:
        mine = own_sources(conn)
    if mine:
        raise MixedWithOwnData(
            f"This warehouse holds your own data ({', '.join(mine)}): the demo would mix with it, so nothing was "
            "loaded. To try the demo, point KPI_DATABASE_URL at a new warehouse, e.g. "
            "KPI_DATABASE_URL=sqlite:///data/demo.db python cli.py demo")
    data = generate(as_of, seed, days)
    through = ((as_of or date.today()) - timedelta(days=1)).isoformat()  # every kind is complete through it
    results: dict[str, LoadResult] = {}
    for step, (kind, frame) in enumerate(data.items(), start=1):
        if progress:
            progress(kind, step, len(data) + 1)
        results[kind] = load(engine, kind, frame, source=DEMO_SOURCE, cursor=through,
                             detail=f"demo data, seed {seed}, as of {(as_of or date.today()).isoformat()}")
    if progress:
        progress("targets", len(data) + 1, len(data) + 1)
    save_targets(engine, demo_targets(engine, as_of or date.today()), actor=SYSTEM)
    return results



def remove_demo_data(engine: Engine, *, actor: Actor) -> dict[str, int]:
    """Remove all demo data on its own (one transaction, under the load lock); {table: rows} (empty if none).

    Raises ``connectors.demo_data.MixedWithOwnData`` (nothing removed) when own data was loaded before the demo.
    """
    from connectors.demo_data import remove_demo
    from connectors.loader import acquire_load_lock

    require(actor, "remove_demo")
    with engine.begin() as conn:
        acquire_load_lock(conn, REMOVAL_HOLDER)
        removed = remove_demo(conn)
        if removed:
            record(conn, actor, "remove_demo", "demo data", after=removed, detail="rows removed per table")
        return removed
