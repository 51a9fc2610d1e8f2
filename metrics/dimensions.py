"""The channels and campaigns present in the warehouse (for pickers and validation)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, exists, select, union

from warehouse import schema

_CHANNEL_TABLES = (schema.web_traffic, schema.orders_daily, schema.ad_spend)
_FACT_TABLES = (schema.web_traffic, schema.orders, schema.ad_spend, schema.email_campaigns, schema.social,
                schema.feedback, schema.tickets)


def has_data(engine: Engine) -> bool:
    """True when any fact table holds a row (one cheap EXISTS per table)."""
    with engine.connect() as conn:
        return any(conn.execute(select(exists().select_from(t))).scalar() for t in _FACT_TABLES)


def channels(engine: Engine) -> list[str]:
    """Every channel that has traffic, orders or ad spend, plus Email/Organic Social when those have data."""
    query = union(*[select(t.c.channel) for t in _CHANNEL_TABLES])
    with engine.connect() as conn:
        found = {row[0] for row in conn.execute(query)}
        if conn.execute(select(schema.email_campaigns.c.date).limit(1)).first():
            found.add("Email")
        if conn.execute(select(schema.social.c.date).limit(1)).first():
            found.add("Organic Social")
    return sorted(found)


def campaigns(engine: Engine, channel: str | None = None) -> list[str]:
    """Campaigns seen in traffic, orders or ad spend (of one channel when given)."""
    selects = []
    for t in _CHANNEL_TABLES:
        q = select(t.c.campaign)
        selects.append(q.where(t.c.channel == channel) if channel else q)
    if channel in (None, "Email"):
        selects.append(select(schema.email_campaigns.c.campaign))
    with engine.connect() as conn:
        return sorted({row[0] for row in conn.execute(union(*selects))})


def campaign_channels(engine: Engine, start: date, end: date) -> dict[str, str]:
    """Each campaign's channel in rows dated ``start..end`` (traffic, orders and ad spend; email campaigns are
    Email's)."""
    selects = [select(t.c.campaign, t.c.channel).where(t.c.date.between(start, end)).distinct()
               for t in _CHANNEL_TABLES]
    email_table = schema.email_campaigns
    with engine.connect() as conn:
        email = conn.execute(select(email_table.c.campaign).where(email_table.c.date.between(start, end)).distinct())
        found = {campaign: "Email" for (campaign,) in email}
        for campaign, channel in conn.execute(union(*selects)):
            found.setdefault(campaign, channel)
    return found
