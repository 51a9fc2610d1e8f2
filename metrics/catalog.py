"""The 5S KPI catalog, declared once as data.

A *source* is a warehouse table of daily facts with its dimensions; a *measure*
is an aggregate over one source; a *KPI* is a formula over measures. The engine,
the pages, the CLI, the report and the README all read these declarations:
adding a KPI is adding one entry to ``KPIS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from metrics.formula import measure_names

S_ORDER = ("Sell", "Serve", "Speak", "Save", "Sizzle")
S_MEANING = {
    "Sell": "Grow sales: are we winning and keeping revenue?",
    "Serve": "Add value for customers: are they satisfied and coming back?",
    "Speak": "A two-way dialogue: are customers engaging with us?",
    "Save": "Cut cost: are we spending efficiently?",
    "Sizzle": "Extend the brand online: is our audience growing?",
}
EARNED_CHANNELS = ("Direct", "Organic Search", "Organic Social")


@dataclass(frozen=True)
class Source:
    """A table of daily facts. ``channel``/``campaign`` name a column, or ``fixed_channel`` applies."""

    name: str
    label: str
    table: str
    date_column: str
    channel: str | None = None
    campaign: str | None = None
    fixed_channel: str | None = None
    source_medium: str | None = None
    kind: str = ""  # the dataset kind it is loaded as (connectors.datasets), when it differs from ``name``

    @property
    def dataset(self) -> str:
        return self.kind or self.name

    def supports(self, dimension: str) -> bool:
        if dimension == "channel":
            return self.channel is not None or self.fixed_channel is not None
        if dimension in ("campaign", "source_medium"):
            return getattr(self, dimension) is not None
        return False


@dataclass(frozen=True)
class Measure:
    """An aggregate over one source.

    ``agg`` is ``sum`` (of ``column``, or of 1 for counting), ``last`` (a stock:
    the last day's value per ``stock_key``, summed over keys) or ``median``.
    ``where`` restricts rows: ``{column: value}`` or ``{column: (">=", value)}``.
    """

    name: str
    source: str
    column: str | None
    agg: str = "sum"
    where: tuple[tuple[str, object], ...] = ()
    stock_key: str | None = None
    label: str = ""


@dataclass(frozen=True)
class KPI:
    """One KPI: its identity, presentation and formula over measures."""

    id: str
    s: str
    label: str
    description: str
    unit: str  # currency | count | percent | score | minutes | seconds | ratio
    better: str  # higher | lower
    formula: str
    kind: str = "ratio"  # flow (additive over time) | ratio | stock
    breakdowns: tuple[str, ...] = field(default=("channel", "campaign"))
    # Status tolerances: at risk beyond the first shortfall (fraction of expected), off track beyond the second.
    tolerance: tuple[float, float] = (0.05, 0.15)


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("web", "web traffic", "web_traffic", "date", channel="channel", campaign="campaign",
               source_medium="source_medium"),
        Source("orders", "orders", "orders_daily", "date", channel="channel", campaign="campaign"),
        Source("ads", "ad spend", "ad_spend", "date", channel="channel", campaign="campaign", kind="ad_spend"),
        Source("email", "email campaigns", "email_campaigns", "date", campaign="campaign", fixed_channel="Email"),
        Source("social", "social", "social", "date", fixed_channel="Organic Social"),
        Source("feedback", "customer feedback", "feedback", "date", channel="channel"),
        Source("tickets", "support tickets", "tickets", "opened_date"),
    )
}

MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("sessions", "web", "sessions", label="sessions"),
        Measure("engaged_sessions", "web", "engaged_sessions", label="engaged sessions"),
        Measure("new_users", "web", "new_users", label="new users"),
        Measure("web_purchases", "web", "purchases", label="purchases recorded by web analytics"),
        Measure("web_purchase_revenue", "web", "purchase_revenue", label="purchase revenue recorded by web analytics"),
        Measure("engagement_seconds", "web", "engagement_seconds", label="engagement seconds"),
        Measure(
            "earned_sessions",
            "web",
            "sessions",
            where=(("channel", EARNED_CHANNELS),),
            label="sessions from Direct, Organic Search and Organic Social",
        ),
        Measure("orders", "orders", "orders", label="orders"),
        Measure("revenue", "orders", "revenue", label="revenue"),
        Measure("new_customers", "orders", "new_customers", label="new customers"),
        Measure("repeat_orders", "orders", "repeat_orders", label="repeat orders"),
        Measure("ad_cost", "ads", "cost", label="ad cost"),
        Measure("ad_clicks", "ads", "clicks", label="ad clicks"),
        Measure("email_delivered", "email", "delivered", label="emails delivered"),
        Measure("email_unique_opens", "email", "unique_opens", label="unique opens"),
        Measure("email_unique_clicks", "email", "unique_clicks", label="unique clicks"),
        Measure("social_impressions", "social", "impressions", label="social impressions"),
        Measure("social_engagements", "social", "engagements", label="social engagements"),
        Measure("followers", "social", "followers", agg="last", stock_key="network", label="followers"),
        Measure("csat_responses", "feedback", None, where=(("kind", "csat"),), label="CSAT responses"),
        Measure(
            "csat_satisfied",
            "feedback",
            None,
            where=(("kind", "csat"), ("score", (">=", 4))),
            label="CSAT responses scoring 4-5",
        ),
        Measure("nps_responses", "feedback", None, where=(("kind", "nps"),), label="NPS responses"),
        Measure(
            "nps_promoters", "feedback", None, where=(("kind", "nps"), ("score", (">=", 9))), label="NPS promoters"
        ),
        Measure(
            "nps_detractors",
            "feedback",
            None,
            where=(("kind", "nps"), ("score", ("<=", 6))),
            label="NPS detractors",
        ),
        Measure("first_response_minutes", "tickets", "first_response_minutes", agg="median", label="ticket"),
    )
}

_ALL = ("channel", "campaign")
_CHANNEL = ("channel",)

KPIS: tuple[KPI, ...] = (
    KPI("sell.revenue", "Sell", "Revenue", "Net revenue minus refunds.", "currency", "higher",
        "revenue", kind="flow"),
    KPI("sell.orders", "Sell", "Orders", "Number of orders.", "count", "higher", "orders", kind="flow"),
    KPI("sell.conversion_rate", "Sell", "Conversion rate", "Orders per session.", "percent", "higher",
        "orders / sessions"),
    KPI("sell.aov", "Sell", "Average order value", "Revenue per order.", "currency", "higher",
        "revenue / orders"),
    KPI("sell.new_customers", "Sell", "New customers",
        "Customers whose first-ever order falls in the period.", "count", "higher", "new_customers", kind="flow"),
    KPI("serve.csat", "Serve", "CSAT", "Share of CSAT responses scoring 4 or 5 (of 5).", "percent", "higher",
        "csat_satisfied / csat_responses", breakdowns=_CHANNEL),
    KPI("serve.nps", "Serve", "NPS", "% promoters (9-10) minus % detractors (0-6), from -100 to 100.",
        "score", "higher", "(nps_promoters - nps_detractors) / nps_responses * 100", breakdowns=_CHANNEL),
    KPI("serve.repeat_order_rate", "Serve", "Repeat order rate",
        "Share of orders from customers who had ordered before.", "percent", "higher", "repeat_orders / orders"),
    KPI("serve.first_response_minutes", "Serve", "First response time",
        "Median minutes from ticket opened to first response.", "minutes", "lower", "first_response_minutes",
        breakdowns=()),
    KPI("speak.engagement_rate", "Speak", "Engagement rate", "Engaged sessions per session.", "percent",
        "higher", "engaged_sessions / sessions"),
    KPI("speak.email_open_rate", "Speak", "Email open rate", "Unique opens per delivered email.", "percent",
        "higher", "email_unique_opens / email_delivered", breakdowns=("campaign",)),
    KPI("speak.email_click_rate", "Speak", "Email click rate", "Unique clicks per delivered email.", "percent",
        "higher", "email_unique_clicks / email_delivered", breakdowns=("campaign",)),
    KPI("speak.social_engagement_rate", "Speak", "Social engagement rate",
        "Social engagements per social impression.", "percent", "higher",
        "social_engagements / social_impressions", breakdowns=()),
    KPI("save.marketing_cost", "Save", "Marketing cost", "Total ad cost; its target is the budget.",
        "currency", "lower", "ad_cost", kind="flow"),
    KPI("save.cpa", "Save", "Cost per acquisition", "Ad cost per order.", "currency", "lower",
        "ad_cost / orders"),
    KPI("save.cac", "Save", "Customer acquisition cost", "Ad cost per new customer.", "currency", "lower",
        "ad_cost / new_customers"),
    KPI("save.roas", "Save", "ROAS", "Revenue per unit of ad cost.", "ratio", "higher", "revenue / ad_cost"),
    KPI("save.cpc", "Save", "Cost per click", "Ad cost per ad click.", "currency", "lower",
        "ad_cost / ad_clicks"),
    KPI("sizzle.new_users", "Sizzle", "New users", "New users on the website.", "count", "higher",
        "new_users", kind="flow"),
    KPI("sizzle.earned_traffic_share", "Sizzle", "Earned traffic share",
        "Share of sessions from Direct, Organic Search and Organic Social.", "percent", "higher",
        "earned_sessions / sessions", breakdowns=_CHANNEL),
    KPI("sizzle.engagement_time_per_session", "Sizzle", "Engagement time per session",
        "Engagement seconds per session.", "seconds", "higher", "engagement_seconds / sessions"),
    KPI("sizzle.social_followers", "Sizzle", "Social followers",
        "Followers at the end of the period, summed over networks.", "count", "higher", "followers",
        kind="stock", breakdowns=()),
)

KPI_BY_ID: dict[str, KPI] = {k.id: k for k in KPIS}


def kpis_for(s: str) -> list[KPI]:
    """The KPIs of one S, in catalog order."""
    return [k for k in KPIS if k.s == s]


def sources_of(kpi: KPI) -> list[Source]:
    """The sources a KPI's formula reads, in formula order."""
    return formula_sources(kpi.formula)


def formula_sources(formula: str) -> list[Source]:
    """The sources a formula over measures reads, in formula order."""
    names = dict.fromkeys(MEASURES[m].source for m in measure_names(formula))
    return [SOURCES[n] for n in names]


def why_no_breakdown(kpi: KPI, dimension: str) -> str:
    """One line saying why ``kpi`` is not broken down by ``dimension`` (for pages that would draw one)."""
    for source in sources_of(kpi):
        if dimension == "channel" and source.fixed_channel:
            return f"all {source.label} data belongs to one channel, {source.fixed_channel}"
        if not source.supports(dimension):
            return f"{source.label} data is not tied to a {dimension.replace('_', '/')}"
    return f"a {dimension} breakdown of {kpi.label} is not meaningful"


def kpi_option(kpi_id: str) -> str:
    """How a KPI picker shows a KPI id: 'Save · ROAS' (the id itself is what is stored)."""
    kpi = KPI_BY_ID.get(kpi_id)
    return f"{kpi.s} · {kpi.label}" if kpi else str(kpi_id)


def get_kpi(kpi_id: str) -> KPI:
    """The KPI with this id; a KeyError names the known ids."""
    try:
        return KPI_BY_ID[kpi_id]
    except KeyError:
        raise KeyError(f"Unknown KPI id {kpi_id!r}; known ids: {', '.join(KPI_BY_ID)}") from None
