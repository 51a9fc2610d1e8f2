"""The 5S KPI catalog, declared once as data.

A *source* is a warehouse table of daily facts with its dimensions; a *measure*
is an aggregate over one source; a *KPI* is a formula over measures. The engine,
the pages, the CLI, the report and the README all read these declarations:
adding a KPI is adding one entry to ``KPIS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from i18n import N_, _
from metrics.formula import measure_names

# The S keys are values (URLs, JSON, targets): English always; s_name() shows one in the reader's language.
S_ORDER = (N_("Sell"), N_("Serve"), N_("Speak"), N_("Save"), N_("Sizzle"))
S_MEANING = {
    "Sell": N_("Grow sales: are we winning and keeping revenue?"),
    "Serve": N_("Add value for customers: are they satisfied and coming back?"),
    "Speak": N_("A two-way dialogue: are customers engaging with us?"),
    "Save": N_("Cut cost: are we spending efficiently?"),
    "Sizzle": N_("Extend the brand online: is our audience growing?"),
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
    # How an A/B test compares variants: "proportion" (each numerator unit is one of the denominator's: pooled
    # z-test), "mean" (a mean over orders: Welch's t-test), "" (not testable).
    abtest: str = ""


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("web", N_("web traffic"), "web_traffic", "date", channel="channel", campaign="campaign",
               source_medium="source_medium"),
        Source("orders", N_("orders"), "orders_daily", "date", channel="channel", campaign="campaign"),
        Source("ads", N_("ad spend"), "ad_spend", "date", channel="channel", campaign="campaign", kind="ad_spend"),
        Source("email", N_("email campaigns"), "email_campaigns", "date", campaign="campaign", fixed_channel="Email"),
        Source("social", N_("social"), "social", "date", fixed_channel="Organic Social"),
        Source("feedback", N_("customer feedback"), "feedback", "date", channel="channel"),
        Source("tickets", N_("support tickets"), "tickets", "opened_date"),
    )
}

MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("sessions", "web", "sessions", label=N_("sessions")),
        Measure("engaged_sessions", "web", "engaged_sessions", label=N_("engaged sessions")),
        Measure("new_users", "web", "new_users", label=N_("new users")),
        Measure("web_purchases", "web", "purchases", label=N_("purchases recorded by web analytics")),
        Measure("web_purchase_revenue", "web", "purchase_revenue",
                label=N_("purchase revenue recorded by web analytics")),
        Measure("engagement_seconds", "web", "engagement_seconds", label=N_("engagement seconds")),
        Measure("add_to_carts", "web", "add_to_carts", label=N_("add-to-carts")),
        Measure("checkouts", "web", "checkouts", label=N_("checkouts")),
        # web rows that record add-to-carts (a count >= 0 is never NULL): tells "none" from "some days only"
        Measure("add_to_cart_rows", "web", None, where=(("add_to_carts", (">=", 0)),),
                label=N_("days of web data with add-to-carts")),
        Measure(
            "earned_sessions",
            "web",
            "sessions",
            where=(("channel", EARNED_CHANNELS),),
            label=N_("sessions from Direct, Organic Search and Organic Social"),
        ),
        Measure("orders", "orders", "orders", label=N_("orders")),
        Measure("revenue", "orders", "revenue", label=N_("revenue")),
        Measure("new_customers", "orders", "new_customers", label=N_("new customers")),
        Measure("repeat_orders", "orders", "repeat_orders", label=N_("repeat orders")),
        Measure("new_customer_revenue", "orders", "new_customer_revenue", label=N_("revenue from first orders")),
        Measure("ad_cost", "ads", "cost", label=N_("ad cost")),
        Measure("ad_clicks", "ads", "clicks", label=N_("ad clicks")),
        Measure("ad_impressions", "ads", "impressions", label=N_("ad impressions")),
        Measure("email_delivered", "email", "delivered", label=N_("emails delivered")),
        Measure("email_unique_opens", "email", "unique_opens", label=N_("unique opens")),
        Measure("email_unique_clicks", "email", "unique_clicks", label=N_("unique clicks")),
        Measure("social_impressions", "social", "impressions", label=N_("social impressions")),
        Measure("social_engagements", "social", "engagements", label=N_("social engagements")),
        Measure("followers", "social", "followers", agg="last", stock_key="network", label=N_("followers")),
        Measure("csat_responses", "feedback", None, where=(("kind", "csat"),), label=N_("CSAT responses")),
        Measure(
            "csat_satisfied",
            "feedback",
            None,
            where=(("kind", "csat"), ("score", (">=", 4))),
            label=N_("CSAT responses scoring 4-5"),
        ),
        Measure("nps_responses", "feedback", None, where=(("kind", "nps"),), label=N_("NPS responses")),
        Measure(
            "nps_promoters", "feedback", None, where=(("kind", "nps"), ("score", (">=", 9))), label=N_("NPS promoters")
        ),
        Measure(
            "nps_detractors",
            "feedback",
            None,
            where=(("kind", "nps"), ("score", ("<=", 6))),
            label=N_("NPS detractors"),
        ),
        Measure("first_response_minutes", "tickets", "first_response_minutes", agg="median", label=N_("ticket")),
    )
}

_ALL = ("channel", "campaign")
_CHANNEL = ("channel",)

KPIS: tuple[KPI, ...] = (
    KPI("sell.revenue", "Sell", N_("Revenue"), N_("Net revenue minus refunds."), "currency", "higher",
        "revenue", kind="flow"),
    KPI("sell.orders", "Sell", N_("Orders"), N_("Number of orders."), "count", "higher", "orders", kind="flow"),
    KPI("sell.conversion_rate", "Sell", N_("Conversion rate"), N_("Orders per session."), "percent", "higher",
        "orders / sessions", abtest="proportion"),
    KPI("sell.aov", "Sell", N_("Average order value"), N_("Revenue per order."), "currency", "higher",
        "revenue / orders", abtest="mean"),
    KPI("sell.new_customers", "Sell", N_("New customers"),
        N_("Customers whose first-ever order falls in the period."), "count", "higher", "new_customers", kind="flow"),
    KPI("sell.new_customer_revenue", "Sell", N_("New customer revenue"),
        N_("Net revenue from customers' first orders."), "currency", "higher", "new_customer_revenue", kind="flow"),
    KPI("serve.csat", "Serve", N_("CSAT"), N_("Share of CSAT responses scoring 4 or 5 (of 5)."), "percent", "higher",
        "csat_satisfied / csat_responses", breakdowns=_CHANNEL,
        abtest="proportion"),
    KPI("serve.nps", "Serve", N_("NPS"),
        N_("Share of promoters (9-10) minus share of detractors (0-6), in points from -100 to 100."),
        "score", "higher", "(nps_promoters - nps_detractors) / nps_responses * 100", breakdowns=_CHANNEL),
    KPI("serve.repeat_order_rate", "Serve", N_("Repeat order rate"),
        N_("Share of orders from customers who had ordered before."), "percent", "higher", "repeat_orders / orders",
        abtest="proportion"),
    KPI("serve.returning_revenue_share", "Serve", N_("Returning revenue share"),
        N_("Share of revenue from orders of customers who had ordered before."), "percent", "higher",
        "(revenue - new_customer_revenue) / revenue"),
    KPI("serve.first_response_minutes", "Serve", N_("First response time"),
        N_("Median minutes from ticket opened to first response."), "minutes", "lower", "first_response_minutes",
        breakdowns=()),
    KPI("speak.engagement_rate", "Speak", N_("Engagement rate"), N_("Engaged sessions per session."), "percent",
        "higher", "engaged_sessions / sessions", abtest="proportion"),
    KPI("speak.email_open_rate", "Speak", N_("Email open rate"), N_("Unique opens per delivered email."), "percent",
        "higher", "email_unique_opens / email_delivered", breakdowns=("campaign",),
        abtest="proportion"),
    KPI("speak.email_click_rate", "Speak", N_("Email click rate"), N_("Unique clicks per delivered email."), "percent",
        "higher", "email_unique_clicks / email_delivered", breakdowns=("campaign",),
        abtest="proportion"),
    KPI("speak.social_engagement_rate", "Speak", N_("Social engagement rate"),
        N_("Social engagements per social impression."), "percent", "higher",
        "social_engagements / social_impressions", breakdowns=()),
    KPI("save.marketing_cost", "Save", N_("Marketing cost"), N_("Total ad cost; its target is the budget."),
        "currency", "lower", "ad_cost", kind="flow"),
    KPI("save.cpa", "Save", N_("Cost per acquisition"), N_("Ad cost per order."), "currency", "lower",
        "ad_cost / orders"),
    KPI("save.cac", "Save", N_("Customer acquisition cost"), N_("Ad cost per new customer."), "currency", "lower",
        "ad_cost / new_customers"),
    KPI("save.roas", "Save", N_("ROAS"), N_("Revenue per unit of ad cost."), "ratio", "higher", "revenue / ad_cost"),
    KPI("save.cpc", "Save", N_("Cost per click"), N_("Ad cost per ad click."), "currency", "lower",
        "ad_cost / ad_clicks"),
    KPI("sizzle.new_users", "Sizzle", N_("New users"), N_("New users on the website."), "count", "higher",
        "new_users", kind="flow"),
    KPI("sizzle.earned_traffic_share", "Sizzle", N_("Earned traffic share"),
        N_("Share of sessions from Direct, Organic Search and Organic Social."), "percent", "higher",
        "earned_sessions / sessions", breakdowns=_CHANNEL),
    KPI("sizzle.engagement_time_per_session", "Sizzle", N_("Engagement time per session"),
        N_("Engagement seconds per session."), "seconds", "higher", "engagement_seconds / sessions"),
    KPI("sizzle.social_followers", "Sizzle", N_("Social followers"),
        N_("Followers at the end of the period, summed over networks."), "count", "higher", "followers",
        kind="stock", breakdowns=()),
)

KPI_BY_ID: dict[str, KPI] = {k.id: k for k in KPIS}


@dataclass(frozen=True)
class FunnelStep:
    """One step of the AIDA funnel, declared like a KPI: what it counts is a sum of measures (``parts``).

    With a channel or campaign filter a part whose source cannot belong to it (social outside Organic Social,
    e-mail outside Email) is left out: each channel's attention is its own sources. ``fallback`` is counted
    instead when the web data has no ``parts`` (desire: engaged sessions where there are no add-to-carts), and
    ``known_rows`` is the measure counting the rows that record the parts (to tell "none" from "some days").
    """

    id: str
    label: str
    description: str
    parts: tuple[str, ...]
    fallback: str | None = None
    known_rows: str | None = None


FUNNEL_STEPS: tuple[FunnelStep, ...] = (
    FunnelStep("attention", N_("Attention"),
               N_("People reached: ad impressions, social impressions and delivered e-mails (a channel counts "
                  "its own: its ads, social only for Organic Social, e-mail only for Email)."),
               ("ad_impressions", "social_impressions", "email_delivered")),
    FunnelStep("interest", N_("Interest"), N_("Visits to the website: sessions."), ("sessions",)),
    FunnelStep("desire", N_("Desire"),
               N_("Add-to-carts where the web data has them, otherwise engaged sessions."), ("add_to_carts",),
               fallback="engaged_sessions", known_rows="add_to_cart_rows"),
    FunnelStep("action", N_("Action"), N_("Orders."), ("orders",)),
    FunnelStep("loyalty", N_("Loyalty"), N_("Repeat orders: orders from customers who had ordered before."),
               ("repeat_orders",)),
)

FUNNEL_STEP_BY_ID: dict[str, FunnelStep] = {s.id: s for s in FUNNEL_STEPS}


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


def kpi_label(kpi: KPI | str) -> str:
    """A KPI's name in the reader's language (a KPI or its id)."""
    kpi = KPI_BY_ID[kpi] if isinstance(kpi, str) else kpi
    return _(kpi.label)


def kpi_description(kpi: KPI | str) -> str:
    """A KPI's one-line description in the reader's language."""
    kpi = KPI_BY_ID[kpi] if isinstance(kpi, str) else kpi
    return _(kpi.description)


def s_name(s: str) -> str:
    """An S ('Sell' …, the stored key) in the reader's language."""
    return _(s)


def s_meaning(s: str) -> str:
    """What an S asks, in the reader's language."""
    return _(S_MEANING[s])


def source_label(source: Source | str) -> str:
    """A source's name in running text ('ad spend'), in the reader's language."""
    source = SOURCES[source] if isinstance(source, str) else source
    return _(source.label)


def measure_label(measure: Measure | str) -> str:
    """A measure's name in running text ('new users'), in the reader's language (its id when it has no label)."""
    measure = MEASURES[measure] if isinstance(measure, str) else measure
    return _(measure.label) if measure.label else measure.name


def why_no_breakdown(kpi: KPI, dimension: str) -> str:
    """One line saying why ``kpi`` is not broken down by ``dimension`` (for pages that would draw one)."""
    for source in sources_of(kpi):
        if dimension == "channel" and source.fixed_channel:
            return _("all {source} data belongs to one channel, {channel}").format(
                source=source_label(source), channel=source.fixed_channel)
        if not source.supports(dimension):
            return _("{source} data is not tied to a {dimension}").format(
                source=source_label(source), dimension=dimension_name(dimension))
    return _("a {dimension} breakdown of {kpi} is not meaningful").format(
        dimension=dimension_name(dimension, slash=False), kpi=kpi_label(kpi))


DIMENSION_NAMES = {"channel": N_("channel"), "campaign": N_("campaign"), "source_medium": N_("source/medium")}


def dimension_name(dimension: str, slash: bool = True) -> str:
    """A breakdown dimension in running text ('channel', 'source/medium'), in the reader's language."""
    if dimension in DIMENSION_NAMES and (slash or dimension != "source_medium"):
        return _(DIMENSION_NAMES[dimension])
    return dimension


def kpi_option(kpi_id: str) -> str:
    """How a KPI picker shows a KPI id: 'Save · ROAS' (the id itself is what is stored)."""
    kpi = KPI_BY_ID.get(kpi_id)
    return _("{s} · {kpi}").format(s=s_name(kpi.s), kpi=kpi_label(kpi)) if kpi else str(kpi_id)


def get_kpi(kpi_id: str) -> KPI:
    """The KPI with this id; a KeyError names the known ids."""
    try:
        return KPI_BY_ID[kpi_id]
    except KeyError:
        raise KeyError(f"Unknown KPI id {kpi_id!r}; known ids: {', '.join(KPI_BY_ID)}") from None
