"""The semantic model: frozen specs parsed from ``model.yaml`` and validated as a whole.

Loading checks every reference (sources, joins, tables, columns, measures, metrics,
conditions, dimensions, listings, personas) and parses every SQL expression with sqlglot,
then reports *all* problems at once in one :class:`ConfigError`, so a broken model is
fixed in one pass rather than one error at a time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from workbench.core.errors import ConfigError
from workbench.data.schema import PERSONA_TABLES, TABLES_BY_NAME, Persona

__all__ = [
    "AGGREGATIONS",
    "Condition",
    "DerivedJoin",
    "Dimension",
    "Join",
    "Language",
    "Listing",
    "Measure",
    "Metric",
    "Phrase",
    "SemanticModel",
    "SemiJoin",
    "Source",
    "TimeGrain",
    "default_model_path",
    "load_model",
]

AGGREGATIONS = ("sum", "count", "count_distinct", "avg", "min", "max")
TIME_GRAINS = ("day", "week", "month", "quarter", "year")
_PLACEHOLDERS = {"AS_OF", "WINDOW_DAYS"}


def default_model_path() -> Path:
    return Path(__file__).with_name("model.yaml")


# --- specs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DerivedJoin:
    """A join to an aggregate of a measure (e.g. units sold per position over the last 30 days)."""

    measure: str
    keys: tuple[tuple[str, str], ...]  # (output column, dimension name)
    last_days: int | None = None
    #: Aggregate over the question's time window when it has one ("not sold in the last 90 days"),
    #: ``last_days`` otherwise.
    plan_window: bool = False


@dataclass(frozen=True)
class Join:
    name: str  # the table (or derived alias) joined
    on: exp.Expression
    type: str = "inner"
    derived: DerivedJoin | None = None


@dataclass(frozen=True)
class SemiJoin:
    """How a filter on a finer-grained table (order lines) restricts a coarser source (orders)."""

    table: str
    key: exp.Expression
    joins: tuple[Join, ...] = ()


@dataclass(frozen=True)
class Source:
    name: str
    table: str
    description: str
    time_column: exp.Expression | None
    joins: tuple[Join, ...]
    semi_join: SemiJoin | None = None

    def join(self, name: str) -> Join | None:
        return next((j for j in self.joins if j.name == name), None)

    @property
    def reachable(self) -> frozenset[str]:
        """Table names (and derived aliases) a SELECT over this source can reference."""
        return frozenset({self.table, *(j.name for j in self.joins)})


@dataclass(frozen=True)
class Condition:
    name: str
    source: str
    label: str
    sql: exp.Expression
    synonyms: tuple[str, ...]
    listing_columns: tuple[str, ...] = ()
    highlight: Mapping[str, Any] | None = None
    time_column: exp.Expression | None = None
    no_time_window: bool = False
    cancellation: bool = False


@dataclass(frozen=True)
class Measure:
    name: str
    source: str
    agg: str
    expr: exp.Expression | None
    condition: str | None = None
    filter: exp.Expression | None = None
    time_column: exp.Expression | None = None


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    synonyms: tuple[str, ...]
    measure: str | None = None
    ratio: tuple[str, str, float] | None = None  # numerator, denominator, denominator divisor
    expr: exp.Expression | None = None
    condition: str | None = None
    higher_is_better: bool = True
    default_window_days: int | None = None
    #: Defined per stock position (product x warehouse): "items with under 3 days of cover" lists positions.
    per_row: bool = False

    @property
    def is_rate(self) -> bool:
        return self.unit == "ratio"


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str
    key: exp.Expression
    columns: tuple[str, ...]
    synonyms: tuple[str, ...]
    name_expr: exp.Expression | None = None
    entity: str | None = None
    key_by_source: Mapping[str, exp.Expression] = field(default_factory=dict)

    def key_for(self, source: str) -> exp.Expression:
        return self.key_by_source.get(source, self.key)


@dataclass(frozen=True)
class TimeGrain:
    name: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Listing:
    name: str
    source: str
    label: str
    entity: str
    synonyms: tuple[str, ...]
    columns: tuple[tuple[str, exp.Expression], ...]
    extra_columns: tuple[tuple[str, exp.Expression], ...]
    order_by: tuple[str, ...]
    count_metric: str | None = None
    #: Columns a user can ask the value of ("what's the reorder point for P0005"): column -> phrases.
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Columns shown with an attribute lookup, after the listing's own columns.
    lookup_columns: tuple[str, ...] = ()

    def column(self, name: str) -> exp.Expression | None:
        for col, expr in (*self.columns, *self.extra_columns):
            if col == name:
                return expr
        return None

    @property
    def all_column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in (*self.columns, *self.extra_columns))


@dataclass(frozen=True)
class Phrase:
    synonyms: tuple[str, ...]
    metric: str
    dimension: str
    descending: bool = True
    #: A report of every row ("supplier scorecard"), not a top few.
    all_rows: bool = False


@dataclass(frozen=True)
class Language:
    group_by: tuple[str, ...]
    count: tuple[str, ...]
    list: tuple[str, ...]
    total: tuple[str, ...]
    rate: tuple[str, ...]
    descending: tuple[str, ...]
    ascending: tuple[str, ...]
    comparisons: Mapping[str, tuple[str, ...]]
    negation: tuple[str, ...]
    followup: tuple[str, ...]
    out_of_scope: tuple[str, ...]
    filler: frozenset[str]


@dataclass(frozen=True)
class SemanticModel:
    """The whole model; look-ups by name and the tables each piece needs."""

    sources: Mapping[str, Source]
    conditions: Mapping[str, Condition]
    measures: Mapping[str, Measure]
    metrics: Mapping[str, Metric]
    dimensions: Mapping[str, Dimension]
    time_grains: Mapping[str, TimeGrain]
    listings: Mapping[str, Listing]
    phrases: tuple[Phrase, ...]
    language: Language
    persona_examples: Mapping[str, tuple[str, ...]]
    path: str = ""

    # -- references -------------------------------------------------------------------------
    def metric_measures(self, name: str) -> list[str]:
        """Measures a metric needs, in first-use order (derived metrics expand recursively)."""
        metric = self.metrics[name]
        out: list[str] = []
        if metric.measure:
            out.append(metric.measure)
        if metric.ratio:
            out.extend(metric.ratio[:2])
        if metric.expr is not None:
            for col in metric.expr.find_all(exp.Column):
                ref = col.name
                if ref in self.metrics and ref != name:
                    out.extend(self.metric_measures(ref))
                elif ref in self.measures:
                    out.append(ref)
        return list(dict.fromkeys(out))

    def metric_sources(self, name: str) -> list[str]:
        return list(dict.fromkeys(self.measures[m].source for m in self.metric_measures(name)))

    def source_tables(self, source: str, joins: Iterable[str] | None = None) -> frozenset[str]:
        """Base tables a query over ``source`` reads, with the named joins (all when None)."""
        src = self.sources[source]
        tables = {src.table}
        for join in src.joins:
            if joins is not None and join.name not in set(joins):
                continue
            if join.derived is not None:
                measure = self.measures[join.derived.measure]
                tables |= self.source_tables(measure.source, self._measure_joins(measure))
            else:
                tables.add(join.name)
        return frozenset(tables)

    def _measure_joins(self, measure: Measure) -> set[str]:
        exprs = [e for e in (measure.expr, measure.filter) if e is not None]
        if measure.condition:
            exprs.append(self.conditions[measure.condition].sql)
        return {c.table for e in exprs for c in e.find_all(exp.Column) if c.table}

    def metric_tables(self, name: str) -> frozenset[str]:
        """Tables the metric reads at least (without optional dimension joins)."""
        tables: set[str] = set()
        for m in self.metric_measures(name):
            measure = self.measures[m]
            tables |= self.source_tables(measure.source, self._measure_joins(measure))
        return frozenset(tables)

    def personas_for_metric(self, name: str) -> list[Persona]:
        tables = self.metric_tables(name)
        return [p for p, allowed in PERSONA_TABLES.items() if tables <= allowed]

    def metrics_for(self, persona: Persona | str) -> list[str]:
        """The metrics a persona may use (every table they read is in the persona's list)."""
        allowed = PERSONA_TABLES[Persona.parse(persona)]
        return [name for name in self.metrics if self.metric_tables(name) <= allowed]

    def listing_tables(self, name: str) -> frozenset[str]:
        listing = self.listings[name]
        refs = {c.table for _, e in listing.columns for c in e.find_all(exp.Column) if c.table}
        return self.source_tables(listing.source, refs)

    def condition_tables(self, name: str) -> frozenset[str]:
        cond = self.conditions[name]
        refs = {c.table for c in cond.sql.find_all(exp.Column) if c.table}
        return self.source_tables(cond.source, refs)

    def dimension_sources(self, name: str) -> list[str]:
        """Sources where the dimension can be grouped by (its tables are joinable)."""
        dim = self.dimensions[name]
        out = []
        for src in self.sources.values():
            exprs = [dim.key_for(src.name)] + ([dim.name_expr] if dim.name_expr is not None else [])
            if all(c.table in src.reachable for e in exprs for c in e.find_all(exp.Column)):
                out.append(src.name)
        return out

    def dimension_filterable(self, name: str, source: str) -> bool:
        """Whether a filter on the dimension can apply to the source (directly or by semi-join)."""
        if source in self.dimension_sources(name):
            return True
        src = self.sources[source]
        if src.semi_join is None:
            return False
        reach = {src.semi_join.table, *(j.name for j in src.semi_join.joins)}
        key = self.dimensions[name].key
        return all(c.table in reach for c in key.find_all(exp.Column))

    def condition_applies(self, condition: str, source: str) -> bool:
        cond = self.conditions[condition]
        return all(c.table in self.sources[source].reachable for c in cond.sql.find_all(exp.Column))


# --- loading --------------------------------------------------------------------------------


class _Issues:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _parse_expr(text: Any, where: str, issues: _Issues) -> exp.Expression | None:
    if text is None:
        return None
    if isinstance(text, bool):
        text = "TRUE" if text else "FALSE"
    try:
        parsed = sqlglot.parse_one(str(text), read="duckdb")
    except (ParseError, TokenError) as err:
        issues.add(where, f"cannot parse SQL expression {text!r}: {err}")
        return None
    if isinstance(parsed, exp.Query):
        issues.add(where, f"expected an expression, got a query: {text!r}")
        return None
    assert isinstance(parsed, exp.Expression)
    return parsed


def _strs(value: Any, where: str, issues: _Issues) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        issues.add(where, "must be a list of strings")
        return ()
    if any(isinstance(v, bool) for v in value):
        # YAML 1.1 reads bare on/off/yes/no as booleans.
        issues.add(
            where, "contains a bare on/off/yes/no, which YAML reads as true/false: put it in quotes"
        )
        return tuple(str(v) for v in value if not isinstance(v, bool))
    return tuple(str(v) for v in value)


def _known_columns(alias_columns: Mapping[str, set[str]], table: str) -> set[str] | None:
    if table in TABLES_BY_NAME:
        return set(TABLES_BY_NAME[table].column_names)
    return alias_columns.get(table)


def _check_columns(
    expr: exp.Expression | None,
    where: str,
    reachable: Iterable[str],
    alias_columns: Mapping[str, set[str]],
    issues: _Issues,
    *,
    names: Iterable[str] = (),
) -> None:
    """Every column is table-qualified, the table is reachable and the column exists."""
    if expr is None:
        return
    reach = set(reachable)
    allowed_bare = set(names)
    for col in expr.find_all(exp.Column):
        if not col.table:
            if col.name not in allowed_bare:
                issues.add(
                    where,
                    f"column '{col.name}' must be qualified by its table (e.g. product.{col.name})",
                )
            continue
        if col.table not in reach:
            issues.add(
                where,
                f"table '{col.table}' is not joined in this source (reachable: {', '.join(sorted(reach))})",
            )
            continue
        known = _known_columns(alias_columns, col.table)
        if known is not None and col.name not in known:
            import difflib

            close = difflib.get_close_matches(col.name, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            issues.add(where, f"table '{col.table}' has no column '{col.name}'{hint}")
    for fn in expr.find_all(exp.Anonymous):
        if str(fn.this).upper() not in _PLACEHOLDERS:
            issues.add(
                where, f"unknown function {fn.this}() (placeholders are AS_OF() and WINDOW_DAYS())"
            )


def _mapping(value: Any, where: str, issues: _Issues) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        issues.add(where, "must be a mapping")
        return {}
    # YAML 1.1 reads a bare ``on:`` key as the boolean True; take it back as "on".
    return {("on" if k is True else k): v for k, v in value.items()}


def load_model(path: str | Path | None = None) -> SemanticModel:
    """Load and validate the model (the packaged ``model.yaml`` by default); cached per path."""
    return _load_cached(str(Path(path) if path else default_model_path()))


@functools.lru_cache(maxsize=8)
def _load_cached(path: str) -> SemanticModel:
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(
            f"The semantic model {path} cannot be read.", detail=str(err), key=path
        ) from None
    model = model_from_mapping(raw, path=path)
    # The metrics' units decide how their columns read in every table (87.1%, $12,345).
    from workbench.core import present

    present.register_columns(
        {name: present.kind_for_unit(m.unit) for name, m in model.metrics.items()}
    )
    return model


def model_from_mapping(raw: Any, *, path: str = "<mapping>") -> SemanticModel:
    """Build and validate a model from parsed YAML; raises ConfigError listing every issue."""
    issues = _Issues()
    if not isinstance(raw, dict):
        raise ConfigError(
            f"The semantic model {path} must be a mapping.", issues=["(top level): not a mapping"]
        )
    for key in (
        "sources",
        "conditions",
        "measures",
        "metrics",
        "dimensions",
        "listings",
        "language",
        "personas",
    ):
        if key not in raw:
            issues.add(key, "section is missing")

    # Derived-join aliases expose their key columns and the measure name as columns.
    alias_columns: dict[str, set[str]] = {}
    raw_sources = _mapping(raw.get("sources"), "sources", issues)
    for sname, sdef in raw_sources.items():
        for jname, jdef in _mapping(
            (sdef or {}).get("joins"), f"sources.{sname}.joins", issues
        ).items():
            derived = (jdef or {}).get("derived")
            if isinstance(derived, dict):
                # One alias may be derived per source (by position, by product): the union.
                alias_columns.setdefault(jname, set()).update(
                    set(
                        _mapping(
                            derived.get("keys"),
                            f"sources.{sname}.joins.{jname}.derived.keys",
                            issues,
                        )
                    )
                    | {str(derived.get("measure"))}
                )

    # Sources -------------------------------------------------------------------------------
    sources: dict[str, Source] = {}
    for sname, sdef in raw_sources.items():
        where = f"sources.{sname}"
        sdef = _mapping(sdef, where, issues)
        table = str(sdef.get("table", ""))
        if table not in TABLES_BY_NAME:
            issues.add(where, f"unknown table '{table}'")
        joins: list[Join] = []
        reach = {table}
        for jname, jdef in _mapping(sdef.get("joins"), f"{where}.joins", issues).items():
            jwhere = f"{where}.joins.{jname}"
            jdef = _mapping(jdef, jwhere, issues)
            derived = None
            if "derived" in jdef:
                d = _mapping(jdef["derived"], f"{jwhere}.derived", issues)
                keys = tuple(
                    (str(k), str(v))
                    for k, v in _mapping(d.get("keys"), f"{jwhere}.derived.keys", issues).items()
                )
                derived = DerivedJoin(
                    str(d.get("measure")),
                    keys,
                    int(d["last_days"]) if d.get("last_days") else None,
                    bool(d.get("plan_window", False)),
                )
            elif jname not in TABLES_BY_NAME:
                issues.add(jwhere, f"unknown table '{jname}'")
            on = _parse_expr(jdef.get("on"), f"{jwhere}.on", issues)
            if on is None and "on" not in jdef:
                issues.add(jwhere, "needs an 'on' condition")
            reach.add(jname)
            # A join may only use tables joined before it, so joins apply in the order written.
            _check_columns(on, f"{jwhere}.on", reach, alias_columns, issues)
            jtype = str(jdef.get("type", "inner"))
            if jtype not in {"inner", "left"}:
                issues.add(jwhere, f"type must be inner or left, not '{jtype}'")
            if on is not None:
                joins.append(Join(jname, on, jtype, derived))
        semi = None
        if "semi_join" in sdef:
            sj = _mapping(sdef["semi_join"], f"{where}.semi_join", issues)
            sj_table = str(sj.get("table"))
            sj_reach = {table, sj_table}
            sj_joins = []
            for jname, jdef in _mapping(
                sj.get("joins"), f"{where}.semi_join.joins", issues
            ).items():
                on = _parse_expr(
                    _mapping(jdef, f"{where}.semi_join.joins.{jname}", issues).get("on"),
                    f"{where}.semi_join.joins.{jname}.on",
                    issues,
                )
                sj_reach.add(jname)
                _check_columns(
                    on, f"{where}.semi_join.joins.{jname}.on", sj_reach, alias_columns, issues
                )
                if on is not None:
                    sj_joins.append(Join(jname, on))
            sj_key = _parse_expr(sj.get("key"), f"{where}.semi_join.key", issues)
            _check_columns(sj_key, f"{where}.semi_join.key", sj_reach, alias_columns, issues)
            if sj_key is not None:
                semi = SemiJoin(sj_table, sj_key, tuple(sj_joins))
        time_column = _parse_expr(sdef.get("time_column"), f"{where}.time_column", issues)
        _check_columns(time_column, f"{where}.time_column", reach, alias_columns, issues)
        sources[sname] = Source(
            sname, table, str(sdef.get("description", "")), time_column, tuple(joins), semi
        )

    def reach_of(source: str) -> set[str]:
        return set(sources[source].reachable) if source in sources else set()

    # Conditions ----------------------------------------------------------------------------
    conditions: dict[str, Condition] = {}
    for cname, cdef in _mapping(raw.get("conditions"), "conditions", issues).items():
        where = f"conditions.{cname}"
        cdef = _mapping(cdef, where, issues)
        source = str(cdef.get("source"))
        if source not in sources:
            issues.add(where, f"unknown source '{source}'")
        sql = _parse_expr(cdef.get("sql"), f"{where}.sql", issues)
        _check_columns(sql, f"{where}.sql", reach_of(source), alias_columns, issues)
        tcol = _parse_expr(cdef.get("time_column"), f"{where}.time_column", issues)
        _check_columns(tcol, f"{where}.time_column", reach_of(source), alias_columns, issues)
        highlight = cdef.get("highlight")
        if sql is not None:
            conditions[cname] = Condition(
                cname, source, str(cdef.get("label", cname)), sql, _strs(cdef.get("synonyms"), f"{where}.synonyms", issues),
                _strs(cdef.get("listing_columns"), f"{where}.listing_columns", issues),
                highlight if isinstance(highlight, dict) else None, tcol, bool(cdef.get("no_time_window", False)),
                bool(cdef.get("cancellation", False)),
            )  # fmt: skip

    # Measures ------------------------------------------------------------------------------
    measures: dict[str, Measure] = {}
    for mname, mdef in _mapping(raw.get("measures"), "measures", issues).items():
        where = f"measures.{mname}"
        mdef = _mapping(mdef, where, issues)
        source = str(mdef.get("source"))
        if source not in sources:
            issues.add(where, f"unknown source '{source}'")
        agg = str(mdef.get("agg"))
        if agg not in AGGREGATIONS:
            issues.add(where, f"agg must be one of {', '.join(AGGREGATIONS)}, not '{agg}'")
        expr = _parse_expr(mdef.get("expr"), f"{where}.expr", issues)
        if expr is None and agg != "count":
            issues.add(where, f"agg '{agg}' needs an expr")
        _check_columns(expr, f"{where}.expr", reach_of(source), alias_columns, issues)
        filt = _parse_expr(mdef.get("filter"), f"{where}.filter", issues)
        _check_columns(filt, f"{where}.filter", reach_of(source), alias_columns, issues)
        cond = mdef.get("condition")
        if cond is not None and cond not in conditions:
            issues.add(where, f"unknown condition '{cond}'")
        elif cond is not None and conditions[cond].source != source:
            issues.add(
                where,
                f"condition '{cond}' belongs to source '{conditions[cond].source}', not '{source}'",
            )
        tcol = _parse_expr(mdef.get("time_column"), f"{where}.time_column", issues)
        _check_columns(tcol, f"{where}.time_column", reach_of(source), alias_columns, issues)
        measures[mname] = Measure(mname, source, agg, expr, str(cond) if cond else None, filt, tcol)

    # Derived joins refer to measures: check them now.
    for src in sources.values():
        for join in src.joins:
            if join.derived is None:
                continue
            jwhere = f"sources.{src.name}.joins.{join.name}.derived"
            if join.derived.measure not in measures:
                issues.add(jwhere, f"unknown measure '{join.derived.measure}'")
            if (
                join.derived.measure in measures
                and measures[join.derived.measure].source == src.name
            ):
                issues.add(jwhere, "a derived join cannot aggregate its own source")

    # Metrics -------------------------------------------------------------------------------
    raw_metrics = _mapping(raw.get("metrics"), "metrics", issues)
    metrics: dict[str, Metric] = {}
    for name, mdef in raw_metrics.items():
        where = f"metrics.{name}"
        mdef = _mapping(mdef, where, issues)
        kinds = [k for k in ("measure", "ratio", "expr") if k in mdef]
        if len(kinds) != 1:
            issues.add(where, "needs exactly one of measure, ratio or expr")
        measure = mdef.get("measure")
        if measure is not None and measure not in measures:
            issues.add(where, f"unknown measure '{measure}'")
        ratio = None
        if "ratio" in mdef:
            r = _mapping(mdef["ratio"], f"{where}.ratio", issues)
            num, den = str(r.get("numerator")), str(r.get("denominator"))
            for part in (num, den):
                if part not in measures:
                    issues.add(f"{where}.ratio", f"unknown measure '{part}'")
            if num in measures and den in measures and measures[num].source != measures[den].source:
                issues.add(f"{where}.ratio", "numerator and denominator must share a source")
            ratio = (num, den, float(r.get("denominator_divisor", 1)))
        expr = _parse_expr(mdef.get("expr"), f"{where}.expr", issues)
        if expr is not None:
            for ref in expr.find_all(exp.Column):
                if (
                    ref.table
                    or (ref.name not in raw_metrics and ref.name not in measures)
                    or ref.name == name
                ):
                    issues.add(f"{where}.expr", f"'{ref.sql()}' is not a metric or measure")
            for fn in expr.find_all(exp.Anonymous):
                if str(fn.this).upper() not in _PLACEHOLDERS:
                    issues.add(f"{where}.expr", f"unknown function {fn.this}()")
        cond = mdef.get("condition")
        if cond is not None and cond not in conditions:
            issues.add(where, f"unknown condition '{cond}'")
        metrics[name] = Metric(
            name, str(mdef.get("label", name)), str(mdef.get("unit", "")), _strs(mdef.get("synonyms"), f"{where}.synonyms", issues),
            str(measure) if measure else None, ratio, expr, str(cond) if cond else None,
            bool(mdef.get("higher_is_better", True)), int(mdef["default_window_days"]) if mdef.get("default_window_days") else None, bool(mdef.get("per_row", False)),
        )  # fmt: skip

    # Dimensions ----------------------------------------------------------------------------
    from workbench.semantic.entities import ENTITY_KINDS

    dimensions: dict[str, Dimension] = {}
    all_reach = set(TABLES_BY_NAME) | set(alias_columns)
    for dname, ddef in _mapping(raw.get("dimensions"), "dimensions", issues).items():
        where = f"dimensions.{dname}"
        ddef = _mapping(ddef, where, issues)
        dim_key = _parse_expr(ddef.get("key"), f"{where}.key", issues)
        _check_columns(dim_key, f"{where}.key", all_reach, alias_columns, issues)
        name_expr = _parse_expr(ddef.get("name"), f"{where}.name", issues)
        _check_columns(name_expr, f"{where}.name", all_reach, alias_columns, issues)
        by_source: dict[str, exp.Expression] = {}
        for sname, text in _mapping(
            ddef.get("key_by_source"), f"{where}.key_by_source", issues
        ).items():
            if sname not in sources:
                issues.add(f"{where}.key_by_source", f"unknown source '{sname}'")
                continue
            e = _parse_expr(text, f"{where}.key_by_source.{sname}", issues)
            _check_columns(
                e, f"{where}.key_by_source.{sname}", reach_of(sname), alias_columns, issues
            )
            if e is not None:
                by_source[sname] = e
        columns = _strs(ddef.get("columns"), f"{where}.columns", issues)
        if len(columns) != (2 if name_expr is not None else 1):
            issues.add(
                f"{where}.columns",
                "lists one output column for the key, plus one for the name when there is one",
            )
        entity = ddef.get("entity")
        if entity is not None and entity not in ENTITY_KINDS:
            issues.add(where, f"unknown entity kind '{entity}'")
        if dim_key is not None:
            dimensions[dname] = Dimension(
                dname,
                str(ddef.get("label", dname)),
                dim_key,
                columns,
                _strs(ddef.get("synonyms"), f"{where}.synonyms", issues),
                name_expr,
                str(entity) if entity else None,
                by_source,
            )
    for dname in dimensions:
        if dname in TIME_GRAINS:
            issues.add(f"dimensions.{dname}", "name clashes with a time grain")

    grains: dict[str, TimeGrain] = {}
    for gname, gdef in _mapping(raw.get("time_grains"), "time_grains", issues).items():
        if gname not in TIME_GRAINS:
            issues.add(f"time_grains.{gname}", f"must be one of {', '.join(TIME_GRAINS)}")
        grains[gname] = TimeGrain(
            gname,
            _strs(
                _mapping(gdef, f"time_grains.{gname}", issues).get("synonyms"),
                f"time_grains.{gname}.synonyms",
                issues,
            ),
        )

    # Listings ------------------------------------------------------------------------------
    listings: dict[str, Listing] = {}
    for lname, ldef in _mapping(raw.get("listings"), "listings", issues).items():
        where = f"listings.{lname}"
        ldef = _mapping(ldef, where, issues)
        source = str(ldef.get("source"))
        if source not in sources:
            issues.add(where, f"unknown source '{source}'")
        cols: list[tuple[str, exp.Expression]] = []
        extras: list[tuple[str, exp.Expression]] = []
        for target, key in ((cols, "columns"), (extras, "extra_columns")):
            for cname, text in _mapping(ldef.get(key), f"{where}.{key}", issues).items():
                e = _parse_expr(text, f"{where}.{key}.{cname}", issues)
                _check_columns(e, f"{where}.{key}.{cname}", reach_of(source), alias_columns, issues)
                if e is not None:
                    target.append((str(cname), e))
        names = {c for c, _ in cols + extras}
        order_by = _strs(ldef.get("order_by"), f"{where}.order_by", issues)
        for col in order_by:
            if col not in names:
                issues.add(f"{where}.order_by", f"unknown column '{col}'")
        count_metric = ldef.get("count_metric")
        if count_metric is not None and count_metric not in metrics:
            issues.add(where, f"unknown count_metric '{count_metric}'")
        known_cols = {c for c, _ in cols} | {c for c, _ in extras}
        attributes = tuple(
            (str(col), _strs(phrases, f"{where}.attributes.{col}", issues))
            for col, phrases in _mapping(
                ldef.get("attributes"), f"{where}.attributes", issues
            ).items()
        )
        lookup_columns = _strs(ldef.get("lookup_columns"), f"{where}.lookup_columns", issues)
        for col in (*(c for c, _ in attributes), *lookup_columns):
            if col not in known_cols:
                issues.add(
                    where, f"attribute or lookup column '{col}' is not a column of the listing"
                )
        listings[lname] = Listing(
            lname,
            source,
            str(ldef.get("label", lname)),
            str(ldef.get("entity", lname)),
            _strs(ldef.get("synonyms"), f"{where}.synonyms", issues),
            tuple(cols),
            tuple(extras),
            order_by,
            str(count_metric) if count_metric else None,
            attributes,
            lookup_columns,
        )

    # Conditions name listing columns; every condition's source needs a listing.
    for cond in conditions.values():
        listing = next((lst for lst in listings.values() if lst.source == cond.source), None)
        if listing is None:
            issues.add(
                f"conditions.{cond.name}", f"no listing shows rows of source '{cond.source}'"
            )
            continue
        for col in cond.listing_columns:
            if listing.column(col) is None:
                issues.add(
                    f"conditions.{cond.name}.listing_columns",
                    f"listing '{listing.name}' has no column '{col}'",
                )
        if cond.highlight and listing.column(str(cond.highlight.get("column"))) is None:
            issues.add(
                f"conditions.{cond.name}.highlight",
                f"listing '{listing.name}' has no column '{cond.highlight.get('column')}'",
            )

    # Phrases -------------------------------------------------------------------------------
    phrases: list[Phrase] = []
    for i, pdef in enumerate(raw.get("phrases") or []):
        where = f"phrases[{i}]"
        pdef = _mapping(pdef, where, issues)
        if pdef.get("metric") not in metrics:
            issues.add(where, f"unknown metric '{pdef.get('metric')}'")
        if pdef.get("dimension") not in dimensions:
            issues.add(where, f"unknown dimension '{pdef.get('dimension')}'")
        phrases.append(
            Phrase(
                _strs(pdef.get("synonyms"), f"{where}.synonyms", issues),
                str(pdef.get("metric")),
                str(pdef.get("dimension")),
                bool(pdef.get("descending", True)),
                bool(pdef.get("all_rows", False)),
            )
        )

    # Language ------------------------------------------------------------------------------
    lang = _mapping(raw.get("language"), "language", issues)
    comparisons = {
        op: _strs(words, f"language.comparisons.{op}", issues)
        for op, words in _mapping(lang.get("comparisons"), "language.comparisons", issues).items()
    }
    for op in comparisons:
        if op not in {">", ">=", "<", "<=", "="}:
            issues.add("language.comparisons", f"unknown operator '{op}'")

    def words(name: str) -> tuple[str, ...]:
        return _strs(lang.get(name), f"language.{name}", issues)

    language = Language(
        group_by=words("group_by"),
        count=words("count"),
        list=words("list"),
        total=words("total"),
        rate=words("rate"),
        descending=words("descending"),
        ascending=words("ascending"),
        comparisons=comparisons,
        negation=words("negation"),
        followup=words("followup"),
        out_of_scope=words("out_of_scope"),
        filler=frozenset(words("filler")),
    )

    # Personas ------------------------------------------------------------------------------
    examples: dict[str, tuple[str, ...]] = {}
    for pname, pdef in _mapping(raw.get("personas"), "personas", issues).items():
        try:
            persona = Persona.parse(pname)
        except Exception:
            issues.add(f"personas.{pname}", "unknown persona")
            continue
        examples[persona.value] = _strs(
            _mapping(pdef, f"personas.{pname}", issues).get("examples"),
            f"personas.{pname}.examples",
            issues,
        )
    for persona in Persona:
        if persona.value not in examples:
            issues.add("personas", f"persona '{persona.value}' has no examples")

    # Names must not collide across metrics/conditions used as words.
    for name in metrics:
        if name in dimensions:
            issues.add(f"metrics.{name}", "name clashes with a dimension")

    if issues.items:
        raise ConfigError(
            f"The semantic model {path} has {len(issues.items)} problem(s).",
            issues=issues.items,
            key=path,
        )
    model = SemanticModel(
        sources,
        conditions,
        measures,
        metrics,
        dimensions,
        grains,
        listings,
        tuple(phrases),
        language,
        examples,
        path,
    )
    # Checks that need the assembled model.
    late = _Issues()
    for name in metrics:
        try:
            model.metric_tables(name)
        except KeyError as err:
            late.add(f"metrics.{name}", f"unresolvable reference {err}")
    if late.items:
        raise ConfigError(
            f"The semantic model {path} has {len(late.items)} problem(s).",
            issues=late.items,
            key=path,
        )
    return model
