"""The semantic model: frozen specs parsed from ``model.yaml`` and validated as a whole.

``model.yaml`` is read into pydantic models, one per section (unknown keys refused, every
SQL expression parsed with sqlglot), and one cross-reference check resolves every name an
entry gives another (sources, joins, tables, columns, measures, metrics, conditions,
dimensions, listings, personas). All problems are reported at once, each at its YAML path,
in one :class:`ConfigError`, so a broken model is fixed in one pass. The specs handed to
the rest of the workbench are the frozen dataclasses below.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Self, get_args

import sqlglot
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from workbench.core.errors import ConfigError, WorkbenchError
from workbench.data.schema import PERSONA_TABLES, TABLES_BY_NAME, Persona
from workbench.semantic.entities import ENTITY_KINDS

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

Aggregation = Literal["sum", "count", "count_distinct", "avg", "min", "max"]
TimeGrainName = Literal["day", "week", "month", "quarter", "year"]
AGGREGATIONS: tuple[str, ...] = get_args(Aggregation)
TIME_GRAINS: tuple[str, ...] = get_args(TimeGrainName)
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
    #: The time column is a planned date (promised, expected): windows ahead of today apply.
    planned: bool = False
    #: The listing column counting the days by which the condition holds ("more than 3 days late").
    days_column: str | None = None


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


# --- the document: model.yaml as pydantic models -------------------------------------------
#
# One model per section mirrors the YAML, so a problem is reported at the YAML path of the bad
# entry. Each entry checks itself (keys, types, SQL syntax); the one cross-reference check,
# ``ModelDocument._references_resolve``, checks every name one entry gives another.


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _not_yaml_bool(value: Any) -> Any:
    if isinstance(value, bool):
        # YAML 1.1 reads bare on/off/yes/no as booleans.
        raise ValueError("a bare on/off/yes/no, which YAML reads as true/false: put it in quotes")
    return value


def _parse_sql(text: Any) -> exp.Expression:
    """One SQL expression in DuckDB spelling; the only functions it may call are placeholders."""
    if isinstance(text, bool):
        text = "TRUE" if text else "FALSE"
    if not isinstance(text, str | int | float):
        raise ValueError(f"must be a SQL expression, not a {type(text).__name__}")
    try:
        parsed = sqlglot.parse_one(str(text), read="duckdb")
    except (ParseError, TokenError) as err:
        reason = str(err).splitlines()[0]  # the rest repeats the text with terminal underlines
        raise ValueError(f"cannot parse SQL expression {text!r}: {reason}") from None
    if isinstance(parsed, exp.Query):
        raise ValueError(f"expected an expression, got a query: {text!r}")
    assert isinstance(parsed, exp.Expression)
    for fn in parsed.find_all(exp.Anonymous):
        if str(fn.this).upper() not in _PLACEHOLDERS:
            raise ValueError(
                f"unknown function {fn.this}() (placeholders are AS_OF() and WINDOW_DAYS())"
            )
    return parsed


def _table(name: str) -> str:
    if name not in TABLES_BY_NAME:
        raise ValueError(f"unknown table '{name}'{_did_you_mean(name, TABLES_BY_NAME)}")
    return name


def _entity_kind(kind: str) -> str:
    if kind not in ENTITY_KINDS:
        raise ValueError(f"unknown entity kind '{kind}' (one of {', '.join(ENTITY_KINDS)})")
    return kind


def _persona(name: str) -> str:
    try:
        return Persona.parse(name).value
    except WorkbenchError:
        raise ValueError(f"unknown persona '{name}'") from None


Sql = Annotated[exp.Expression, PlainValidator(_parse_sql)]
Word = Annotated[str, BeforeValidator(_not_yaml_bool)]
Words = tuple[Word, ...]
Table = Annotated[str, AfterValidator(_table)]
EntityKind = Annotated[str, AfterValidator(_entity_kind)]
PersonaName = Annotated[str, AfterValidator(_persona)]
Operator = Literal[">", ">=", "<", "<=", "="]


class _Entry(BaseModel):
    """A mapping in model.yaml. Unknown keys are refused: a misspelt key would be ignored."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, arbitrary_types_allowed=True, coerce_numbers_to_str=True
    )

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        # YAML 1.1 reads a bare ``on:`` key as the boolean True; take it back as "on".
        data = {("on" if k is True else k): v for k, v in data.items()}
        if unknown := cls.unknown_keys(data):
            raise ValueError(unknown)
        return data

    @classmethod
    def unknown_keys(cls, data: Mapping[Any, Any]) -> str:
        """The message refusing the keys of ``data`` that are not fields ("" when none)."""
        unknown = [str(k) for k in data if k not in cls.model_fields]
        if not unknown:
            return ""
        names = "; ".join(f"unknown key '{k}'{_did_you_mean(k, cls.model_fields)}" for k in unknown)
        return f"{names} (allowed: {', '.join(cls.model_fields)})"


class DerivedDef(_Entry):
    measure: str
    keys: dict[str, str]  # output column -> the dimension it groups by
    last_days: int | None = None
    plan_window: bool = False


class OnDef(_Entry):
    on: Sql


class JoinDef(OnDef):
    type: Literal["inner", "left"] = "inner"
    derived: DerivedDef | None = None

    def spec(self, name: str) -> Join:
        d = self.derived
        derived = (
            DerivedJoin(d.measure, tuple(d.keys.items()), d.last_days or None, d.plan_window)
            if d is not None
            else None
        )
        return Join(name, self.on, self.type, derived)


class SemiJoinDef(_Entry):
    table: Table
    key: Sql
    joins: dict[str, OnDef] = Field(default_factory=dict)


class SourceDef(_Entry):
    table: Table
    description: str = ""
    time_column: Sql | None = None
    joins: dict[str, JoinDef] = Field(default_factory=dict)
    semi_join: SemiJoinDef | None = None

    def spec(self, name: str) -> Source:
        sj = self.semi_join
        semi = (
            SemiJoin(sj.table, sj.key, tuple(Join(j, d.on) for j, d in sj.joins.items()))
            if sj is not None
            else None
        )
        joins = tuple(j.spec(n) for n, j in self.joins.items())
        return Source(name, self.table, self.description, self.time_column, joins, semi)


class HighlightDef(_Entry):
    column: str
    text: str
    ascending: bool = False


class ConditionDef(_Entry):
    source: str
    sql: Sql
    label: Word | None = None
    synonyms: Words = ()
    listing_columns: Words = ()
    highlight: HighlightDef | None = None
    time_column: Sql | None = None
    no_time_window: bool = False
    cancellation: bool = False
    planned: bool = False
    days_column: Word | None = None

    def spec(self, name: str) -> Condition:
        highlight = self.highlight.model_dump(exclude_unset=True) if self.highlight else None
        return Condition(
            name, self.source, self.label or name, self.sql, self.synonyms, self.listing_columns,
            highlight, self.time_column, self.no_time_window, self.cancellation, self.planned,
            self.days_column,
        )  # fmt: skip


class MeasureDef(_Entry):
    source: str
    agg: Aggregation
    expr: Sql | None = None
    filter: Sql | None = None
    condition: str | None = None
    time_column: Sql | None = None

    @model_validator(mode="after")
    def _expr_unless_count(self) -> Self:
        if self.expr is None and self.agg != "count":
            raise ValueError(f"agg '{self.agg}' needs an expr")
        return self

    def spec(self, name: str) -> Measure:
        return Measure(
            name, self.source, self.agg, self.expr, self.condition, self.filter, self.time_column
        )


class RatioDef(_Entry):
    numerator: str
    denominator: str
    denominator_divisor: float = 1.0


class MetricDef(_Entry):
    label: Word | None = None
    unit: str = ""
    synonyms: Words = ()
    measure: str | None = None
    ratio: RatioDef | None = None
    expr: Sql | None = None
    condition: str | None = None
    higher_is_better: bool = True
    default_window_days: int | None = None
    per_row: bool = False

    @model_validator(mode="after")
    def _one_definition(self) -> Self:
        if sum(x is not None for x in (self.measure, self.ratio, self.expr)) != 1:
            raise ValueError("needs exactly one of measure, ratio or expr")
        return self

    def spec(self, name: str) -> Metric:
        r = self.ratio
        ratio = (r.numerator, r.denominator, r.denominator_divisor) if r is not None else None
        return Metric(
            name, self.label or name, self.unit, self.synonyms, self.measure, ratio, self.expr,
            self.condition, self.higher_is_better, self.default_window_days or None, self.per_row,
        )  # fmt: skip


class DimensionDef(_Entry):
    key: Sql
    columns: Words
    label: Word | None = None
    name: Sql | None = None
    synonyms: Words = ()
    entity: EntityKind | None = None
    key_by_source: dict[str, Sql] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_column_per_expression(self) -> Self:
        if len(self.columns) != (2 if self.name is not None else 1):
            raise ValueError(
                "columns lists one output column for the key, plus one for the name when there is one"
            )
        return self

    def spec(self, name: str) -> Dimension:
        return Dimension(
            name, self.label or name, self.key, self.columns, self.synonyms, self.name,
            self.entity, dict(self.key_by_source),
        )  # fmt: skip


class TimeGrainDef(_Entry):
    synonyms: Words = ()
    grain: TimeGrainName | None = None  # repeats the section key


class ListingDef(_Entry):
    source: str
    columns: dict[str, Sql]
    label: Word | None = None
    entity: str | None = None
    synonyms: Words = ()
    extra_columns: dict[str, Sql] = Field(default_factory=dict)
    order_by: Words = ()
    count_metric: str | None = None
    attributes: dict[str, Words] = Field(default_factory=dict)
    lookup_columns: Words = ()

    @model_validator(mode="after")
    def _names_its_own_columns(self) -> Self:
        names = {*self.columns, *self.extra_columns}
        unknown = [c for c in (*self.order_by, *self.attributes, *self.lookup_columns) if c not in names]  # fmt: skip
        if unknown:
            raise ValueError(
                "order_by, attributes and lookup_columns name columns of the listing, not "
                + ", ".join(f"'{c}'" for c in unknown)
            )
        return self

    def spec(self, name: str) -> Listing:
        return Listing(
            name, self.source, self.label or name, self.entity or name, self.synonyms,
            tuple(self.columns.items()), tuple(self.extra_columns.items()), self.order_by,
            self.count_metric, tuple(self.attributes.items()), self.lookup_columns,
        )  # fmt: skip


class PhraseDef(_Entry):
    synonyms: Words
    metric: str
    dimension: str
    descending: bool = True
    all_rows: bool = False

    def spec(self) -> Phrase:
        return Phrase(self.synonyms, self.metric, self.dimension, self.descending, self.all_rows)


class LanguageDef(_Entry):
    group_by: Words = ()
    count: Words = ()
    list: Words = ()
    total: Words = ()
    rate: Words = ()
    descending: Words = ()
    ascending: Words = ()
    comparisons: dict[Operator, Words] = Field(default_factory=dict)
    negation: Words = ()
    followup: Words = ()
    out_of_scope: Words = ()
    filler: Words = ()

    def spec(self) -> Language:
        fields = self.model_dump(exclude={"filler", "comparisons"})
        return Language(
            **fields,
            comparisons={str(op): w for op, w in self.comparisons.items()},
            filler=frozenset(self.filler),
        )


class PersonaDef(_Entry):
    examples: Words = ()


class _UnresolvedReferences(ValueError):
    def __init__(self, issues: list[str]) -> None:
        super().__init__(f"{len(issues)} unresolved reference(s)")
        self.issues = issues


class ModelDocument(_Entry):
    """The whole of model.yaml."""

    version: int = 1
    sources: dict[str, SourceDef]
    conditions: dict[str, ConditionDef]
    measures: dict[str, MeasureDef]
    metrics: dict[str, MetricDef]
    dimensions: dict[str, DimensionDef]
    time_grains: dict[TimeGrainName, TimeGrainDef] = Field(default_factory=dict)
    listings: dict[str, ListingDef]
    phrases: tuple[PhraseDef, ...] = ()
    language: LanguageDef
    personas: dict[PersonaName, PersonaDef]

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> Self:
        context = info.context or {}
        issues = _reference_issues(
            self, context.get("unchecked", {}), context.get("phrase_positions")
        )
        if issues:
            raise _UnresolvedReferences(issues)
        return self

    def to_model(self, path: str) -> SemanticModel:
        return SemanticModel(
            sources={n: s.spec(n) for n, s in self.sources.items()},
            conditions={n: c.spec(n) for n, c in self.conditions.items()},
            measures={n: m.spec(n) for n, m in self.measures.items()},
            metrics={n: m.spec(n) for n, m in self.metrics.items()},
            dimensions={n: d.spec(n) for n, d in self.dimensions.items()},
            time_grains={n: TimeGrain(n, g.synonyms) for n, g in self.time_grains.items()},
            listings={n: lst.spec(n) for n, lst in self.listings.items()},
            phrases=tuple(p.spec() for p in self.phrases),
            language=self.language.spec(),
            persona_examples={p: d.examples for p, d in self.personas.items()},
            path=path,
        )


def _reference_issues(
    doc: ModelDocument,
    unchecked: Mapping[str, set[str] | None],
    phrase_positions: list[int] | None = None,
) -> list[str]:
    """Every name an entry gives resolves: sources, tables, columns, measures, metrics, ...

    ``unchecked`` names the entries (``None``: the whole section) that failed their own
    validation and were left out; a reference to one of them is not reported again.
    """
    issues: list[str] = []

    def add(where: str, message: str) -> None:
        issues.append(f"{where}: {message}")

    def known(section: str, name: str) -> bool:
        skipped = unchecked.get(section, set())
        return name in getattr(doc, section) or skipped is None or name in skipped

    def ref(where: str, section: str, name: str | None, what: str) -> None:
        if name is not None and not known(section, name):
            add(where, f"unknown {what} '{name}'{_did_you_mean(name, getattr(doc, section))}")

    # Derived-join aliases expose their key columns and the measure name as columns; one alias
    # may be derived in several sources (by position, by product): the union.
    alias_columns: dict[str, set[str]] = {}
    for src in doc.sources.values():
        for jname, join in src.joins.items():
            if join.derived is not None:
                alias = alias_columns.setdefault(jname, set())
                alias.update({*join.derived.keys, join.derived.measure})

    def columns(expr: exp.Expression | None, where: str, reach: Iterable[str] | None) -> None:
        """Every column is table-qualified, its table is reachable and has the column."""
        if expr is None or reach is None:
            return
        reach = set(reach)
        for col in expr.find_all(exp.Column):
            if not col.table:
                add(where, f"column '{col.name}' must be qualified by its table (e.g. product.{col.name})")  # fmt: skip
            elif col.table not in reach:
                add(where, f"table '{col.table}' is not joined in this source (reachable: {', '.join(sorted(reach))})")  # fmt: skip
            else:
                table = TABLES_BY_NAME.get(col.table)
                has = set(table.column_names) if table else alias_columns.get(col.table)
                if has is not None and col.name not in has:
                    add(where, f"table '{col.table}' has no column '{col.name}'{_did_you_mean(col.name, has)}")  # fmt: skip

    reachable = {name: {src.table, *src.joins} for name, src in doc.sources.items()}

    for sname, src in doc.sources.items():
        where = f"sources.{sname}"
        joined = {src.table}
        for jname, join in src.joins.items():
            jwhere = f"{where}.joins.{jname}"
            if join.derived is None and jname not in TABLES_BY_NAME:
                add(jwhere, f"unknown table '{jname}'{_did_you_mean(jname, TABLES_BY_NAME)}")
            elif join.derived is not None:
                aggregated = join.derived.measure
                ref(f"{jwhere}.derived.measure", "measures", aggregated, "measure")
                if aggregated in doc.measures and doc.measures[aggregated].source == sname:
                    add(f"{jwhere}.derived", "a derived join cannot aggregate its own source")
                for out, grouped_by in join.derived.keys.items():
                    ref(f"{jwhere}.derived.keys.{out}", "dimensions", grouped_by, "dimension")
            joined.add(jname)
            # A join may only use tables joined before it, so joins apply in the order written.
            columns(join.on, f"{jwhere}.on", joined)
        if src.semi_join is not None:
            sj_joined = {src.table, src.semi_join.table}
            for jname, on in src.semi_join.joins.items():
                sj_joined.add(jname)
                if jname not in TABLES_BY_NAME:
                    add(f"{where}.semi_join.joins.{jname}", f"unknown table '{jname}'")
                columns(on.on, f"{where}.semi_join.joins.{jname}.on", sj_joined)
            columns(src.semi_join.key, f"{where}.semi_join.key", sj_joined)
        columns(src.time_column, f"{where}.time_column", joined)

    for cname, cond in doc.conditions.items():
        where = f"conditions.{cname}"
        ref(f"{where}.source", "sources", cond.source, "source")
        columns(cond.sql, f"{where}.sql", reachable.get(cond.source))
        columns(cond.time_column, f"{where}.time_column", reachable.get(cond.source))
        # Conditions name listing columns; every condition's source needs a listing.
        lname = next((n for n, lst in doc.listings.items() if lst.source == cond.source), None)
        if lname is None:
            if "listings" not in unchecked:
                add(where, f"no listing shows rows of source '{cond.source}'")
            continue
        shown = {*doc.listings[lname].columns, *doc.listings[lname].extra_columns}
        for shown_col in cond.listing_columns:
            if shown_col not in shown:
                add(f"{where}.listing_columns", f"listing '{lname}' has no column '{shown_col}'")
        if cond.highlight is not None and cond.highlight.column not in shown:
            add(f"{where}.highlight", f"listing '{lname}' has no column '{cond.highlight.column}'")
        if cond.days_column is not None and cond.days_column not in shown:
            add(f"{where}.days_column", f"listing '{lname}' has no column '{cond.days_column}'")
        if cond.planned and cond.time_column is None:
            add(f"{where}.planned", "a planned condition names the planned date as its time_column")

    for mname, measure in doc.measures.items():
        where = f"measures.{mname}"
        ref(f"{where}.source", "sources", measure.source, "source")
        for part in ("expr", "filter", "time_column"):
            columns(getattr(measure, part), f"{where}.{part}", reachable.get(measure.source))
        ref(f"{where}.condition", "conditions", measure.condition, "condition")
        applied = doc.conditions.get(measure.condition or "")
        if applied is not None and applied.source != measure.source:
            add(where, f"condition '{measure.condition}' belongs to source '{applied.source}', not '{measure.source}'")  # fmt: skip

    uses: dict[str, set[str]] = {}
    for name, metric in doc.metrics.items():
        where = f"metrics.{name}"
        ref(f"{where}.measure", "measures", metric.measure, "measure")
        ref(f"{where}.condition", "conditions", metric.condition, "condition")
        if metric.ratio is not None:
            num, den = metric.ratio.numerator, metric.ratio.denominator
            ref(f"{where}.ratio.numerator", "measures", num, "measure")
            ref(f"{where}.ratio.denominator", "measures", den, "measure")
            if num in doc.measures and den in doc.measures and doc.measures[num].source != doc.measures[den].source:  # fmt: skip
                add(f"{where}.ratio", "numerator and denominator must share a source")
        uses[name] = set()
        for col in metric.expr.find_all(exp.Column) if metric.expr is not None else ():
            if col.table or col.name == name:
                add(f"{where}.expr", f"'{col.sql()}' is not a metric or measure")
            elif col.name in doc.metrics:
                uses[name].add(col.name)
            elif not (known("measures", col.name) or known("metrics", col.name)):
                add(f"{where}.expr", f"'{col.sql()}' is not a metric or measure")
        if name in doc.dimensions:
            add(where, "name clashes with a dimension")
    for name in uses:  # a derived metric may not reach itself through others
        seen, todo = set(), list(uses[name])
        while todo:
            other = todo.pop()
            if other == name:
                add(f"metrics.{name}.expr", "refers to itself through other metrics")
                break
            if other not in seen:
                seen.add(other)
                todo.extend(uses.get(other, ()))

    every_table = set(TABLES_BY_NAME) | set(alias_columns)
    for dname, dim in doc.dimensions.items():
        where = f"dimensions.{dname}"
        columns(dim.key, f"{where}.key", every_table)
        columns(dim.name, f"{where}.name", every_table)
        for sname, key in dim.key_by_source.items():
            ref(f"{where}.key_by_source", "sources", sname, "source")
            columns(key, f"{where}.key_by_source.{sname}", reachable.get(sname))
        if dname in TIME_GRAINS:
            add(where, "name clashes with a time grain")

    for gname, grain in doc.time_grains.items():
        if grain.grain is not None and grain.grain != gname:
            add(f"time_grains.{gname}.grain", f"must repeat its key '{gname}', not '{grain.grain}'")

    for lname, lst in doc.listings.items():
        where = f"listings.{lname}"
        ref(f"{where}.source", "sources", lst.source, "source")
        ref(f"{where}.count_metric", "metrics", lst.count_metric, "metric")
        for part in ("columns", "extra_columns"):
            for col, expr in getattr(lst, part).items():
                columns(expr, f"{where}.{part}.{col}", reachable.get(lst.source))

    for i, phrase in enumerate(doc.phrases):
        where = f"phrases[{phrase_positions[i] if phrase_positions else i}]"
        ref(f"{where}.metric", "metrics", phrase.metric, "metric")
        ref(f"{where}.dimension", "dimensions", phrase.dimension, "dimension")

    if "personas" not in unchecked:
        for persona in Persona:
            if persona.value not in doc.personas:
                add("personas", f"persona '{persona.value}' has no examples")
    return issues


# --- loading --------------------------------------------------------------------------------


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
    if not isinstance(raw, dict):
        raise ConfigError(
            f"The semantic model {path} must be a mapping.", issues=["(top level): not a mapping"]
        )
    # An unknown top-level key would stop pydantic before any section: report it and go on.
    unknown = ModelDocument.unknown_keys(raw)
    issues = [f"(top level): {unknown}"] if unknown else []
    raw = {k: v for k, v in raw.items() if k in ModelDocument.model_fields}
    try:
        doc = ModelDocument.model_validate(raw)
    except ValidationError as err:
        issues += _issues(err)
        if not any(isinstance(_cause(e), _UnresolvedReferences) for e in err.errors()):
            # pydantic checks references only in a well-formed document: check those of the
            # well-formed entries too, so that one pass reports every problem.
            issues += [i for i in _issues_of_the_rest(raw, err) if i not in issues]
        raise _problems(path, issues) from None
    if issues:
        raise _problems(path, issues)
    return doc.to_model(path)


def _problems(path: str, issues: list[str]) -> ConfigError:
    return ConfigError(
        f"The semantic model {path} has {len(issues)} problem(s).", issues=issues, key=path
    )


def _cause(error: Any) -> Any:
    return (error.get("ctx") or {}).get("error")


def _issues(err: ValidationError) -> list[str]:
    """``yaml.path: message`` per problem, section by section."""
    out: list[str] = []
    for error in err.errors(include_url=False):
        cause = _cause(error)
        if isinstance(cause, _UnresolvedReferences):
            out.extend(cause.issues)
            continue
        loc = [part for part in error["loc"] if part != "[key]"]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        if error["type"] == "missing":
            message = "section is missing" if len(loc) == 1 else "is required"
        else:
            message = str(cause) if isinstance(cause, ValueError) else error["msg"]
            # In YAML words: lists and mappings, not tuples, dictionaries or model classes.
            message = message.replace("a valid tuple", "a list").replace(
                "a valid dictionary", "a mapping"
            )
            message = message.split(" or instance of ")[0]
        out.append(f"{where or '(top level)'}: {message}")
    return out


def _issues_of_the_rest(raw: dict[Any, Any], err: ValidationError) -> list[str]:
    """Reference problems among the entries that passed their own validation."""
    rest: dict[str, Any] = dict(raw)
    unchecked: dict[str, set[str] | None] = {}
    for error in err.errors():
        loc = error["loc"]
        if not loc:
            continue
        section = str(loc[0])
        if len(loc) == 1 or section == "language" or not isinstance(rest.get(section), dict | list):
            unchecked[section] = None
            rest[section] = [] if section == "phrases" else {}
        elif (names := unchecked.setdefault(section, set())) is not None:
            names.add(str(loc[1]))
    positions = None
    for section, names in unchecked.items():
        if names is None:
            continue
        if section == "phrases":
            positions = [i for i in range(len(rest[section])) if str(i) not in names]
            rest[section] = [rest[section][i] for i in positions]
        else:
            rest[section] = {k: v for k, v in rest[section].items() if str(k) not in names}
    try:
        ModelDocument.model_validate(
            rest, context={"unchecked": unchecked, "phrase_positions": positions}
        )
    except ValidationError as again:
        return _issues(again)
    return []
