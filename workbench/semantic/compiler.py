"""Compile a :class:`QueryPlan` into a sqlglot AST over the semantic model.

Every metric's SQL comes from ``model.yaml``; the compiler only composes it: it picks the
source of each measure, joins just the tables the expressions reference, moves the filters
all measures share into ``WHERE`` and keeps the rest inside the aggregate (``CASE WHEN``),
applies the time window to the right date column, and joins per-source aggregates on the
grouping keys when a metric spans sources (supplier score). Values are always literals in
the AST; the result renders for DuckDB, Redshift and Athena (Trino).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlglot import exp

from workbench.core.errors import NotUnderstoodError
from workbench.semantic.model import (
    TIME_GRAINS,
    Condition,
    Measure,
    SemanticModel,
    Source,
    load_model,
)
from workbench.semantic.plan import Filter, QueryPlan
from workbench.semantic.time import TimeWindow

__all__ = ["DIALECTS", "CompiledQuery", "PlanCompiler", "PlanError", "compile_plan"]

DIALECTS = ("duckdb", "redshift", "athena")


class PlanError(NotUnderstoodError):
    """A plan asks for something the semantic model cannot express (e.g. an LLM-filled plan)."""

    code = "invalid_plan"


@dataclass(frozen=True)
class CompiledQuery:
    """A compiled plan: the AST, the base tables it reads and its output columns."""

    ast: exp.Query
    tables: frozenset[str]
    columns: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def sql(self, dialect: str = "duckdb", *, pretty: bool = False) -> str:
        return self.ast.sql(dialect=dialect, pretty=pretty)


# --- expression helpers ------------------------------------------------------------------------


def _date_literal(day: date) -> exp.Expression:
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType.Type.DATE)


def _value_literal(value: Any) -> exp.Expression:
    if isinstance(value, date):
        return _date_literal(value)
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _bind(expr: exp.Expression, as_of: date, window_days: int | None = None) -> exp.Expression:
    """A copy with AS_OF(n) and WINDOW_DAYS() replaced by literals."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous):
            name = str(node.this).upper()
            if name == "AS_OF":
                offset = 0
                if node.expressions:
                    arg = node.expressions[0]
                    offset = -int(arg.this.this) if isinstance(arg, exp.Neg) else int(arg.this)
                return _date_literal(as_of + timedelta(days=offset))
            if name == "WINDOW_DAYS":
                if window_days is None:
                    raise PlanError("This metric needs a time window (for example 'last 30 days').")
                return exp.Literal.number(f"{window_days}.0")
        return node

    return expr.copy().transform(replace)


def _conjuncts(expr: exp.Expression | None) -> list[exp.Expression]:
    if expr is None:
        return []
    if isinstance(expr, exp.And):
        return _conjuncts(expr.this) + _conjuncts(expr.expression)
    if isinstance(expr, exp.Paren):
        return _conjuncts(expr.this) if isinstance(expr.this, exp.And) else [expr]
    return [expr]


def _and(parts: Sequence[exp.Expression]) -> exp.Expression | None:
    if not parts:
        return None
    return exp.and_(*[p.copy() for p in parts]) if len(parts) > 1 else parts[0].copy()  # type: ignore[return-value]


def _tables_in(exprs: Iterable[exp.Expression | None]) -> set[str]:
    """Tables referenced by the expressions themselves (not by subqueries inside them)."""
    out: set[str] = set()
    for e in exprs:
        if e is None:
            continue
        for c in e.find_all(exp.Column):
            if c.table and (isinstance(e, exp.Select) or c.find_ancestor(exp.Select) is None):
                out.add(c.table)
    return out


def _compare(left: exp.Expression, op: str, value: Any) -> exp.Expression:
    right = _value_literal(value)
    classes: dict[str, type[exp.Binary]] = {
        ">": exp.GT,
        ">=": exp.GTE,
        "<": exp.LT,
        "<=": exp.LTE,
        "=": exp.EQ,
        "!=": exp.NEQ,
    }
    result: Any = classes[op](this=left, expression=right)
    return result


def _filter_predicate(left: exp.Expression, flt: Filter) -> exp.Expression:
    values = list(flt.values)
    if flt.op in ("in", "not_in"):
        if not values:
            raise PlanError(f"The filter on {flt.field} has no values.")
        pred: exp.Expression = (
            exp.In(this=left.copy(), expressions=[_value_literal(v) for v in values])
            if len(values) > 1
            else exp.EQ(this=left.copy(), expression=_value_literal(values[0]))
        )
        return exp.Not(this=pred) if flt.op == "not_in" else pred
    if flt.op == "between":
        if len(values) != 2:
            raise PlanError(f"The filter on {flt.field} needs two values for 'between'.")
        return exp.Between(
            this=left.copy(), low=_value_literal(values[0]), high=_value_literal(values[1])
        )
    if len(values) != 1:
        raise PlanError(f"The filter on {flt.field} compares with one value.")
    return _compare(left.copy(), flt.op, values[0])


# --- joins ---------------------------------------------------------------------------------------


@dataclass
class _FromBuilder:
    """Collects the joins one SELECT over a source needs."""

    compiler: PlanCompiler
    source: Source
    as_of: date
    #: The question's window, for derived joins that aggregate over it.
    window: TimeWindow | None = None
    needed: set[str] = field(default_factory=set)

    def use(self, *exprs: exp.Expression | None) -> None:
        for table in _tables_in(exprs):
            if table != self.source.table:
                self._need(table)

    def _need(self, name: str) -> None:
        if name in self.needed:
            return
        join = self.source.join(name)
        if join is None:
            raise PlanError(f"'{name}' cannot be combined with {self.source.description.lower()}")
        self.needed.add(name)
        for table in _tables_in([join.on]):
            if table not in (name, self.source.table):
                self._need(table)

    def apply(self, select: exp.Select) -> exp.Select:
        select = select.from_(exp.to_table(self.source.table))
        for join in self.source.joins:
            if join.name not in self.needed:
                continue
            if join.derived is not None:
                target: exp.Expression = exp.Subquery(
                    this=self.compiler._derived_subquery(
                        join.derived,
                        self.as_of,
                        self.window if join.derived.plan_window else None,
                    ),
                    alias=exp.TableAlias(this=exp.to_identifier(join.name)),
                )
            else:
                target = exp.to_table(join.name)
            select = select.join(
                target, on=join.on.copy(), join_type="left" if join.type == "left" else None
            )
        return select


@dataclass(frozen=True)
class _Key:
    alias: str
    expr: exp.Expression


# --- compiler ------------------------------------------------------------------------------------


class PlanCompiler:
    """Turns plans into SQL ASTs; results are cached per plan (plans are immutable)."""

    def __init__(self, model: SemanticModel | None = None, *, cache_size: int = 512) -> None:
        self.model = model or load_model()
        self._cache: OrderedDict[tuple[str, str], CompiledQuery] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def compile(self, plan: QueryPlan) -> CompiledQuery:
        """The plan as an AST (dialect-neutral; render with ``.sql(dialect)``)."""
        key = (plan.cache_key(), "ast")
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        compiled = (
            self._compile_listing(plan) if plan.kind == "listing" else self._compile_metrics(plan)
        )
        with self._lock:
            self._cache[key] = compiled
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return compiled

    def render(self, plan: QueryPlan, dialect: str = "duckdb", *, pretty: bool = False) -> str:
        return self.compile(plan).sql(dialect, pretty=pretty)

    # -- shared pieces -----------------------------------------------------------------------
    def _as_of(self, plan: QueryPlan) -> date:
        return plan.as_of or date.today()

    def effective_window(self, plan: QueryPlan) -> TimeWindow | None:
        """The plan's window, or the default window of its metrics (average daily demand: 30 days)."""
        if plan.time_window is not None:
            return plan.time_window
        defaults = [
            self.model.metrics[m].default_window_days
            for m in plan.metrics
            if m in self.model.metrics
        ]
        days = max((d for d in defaults if d), default=None)
        if days is None:
            return None
        as_of = self._as_of(plan)
        return TimeWindow(as_of - timedelta(days=days - 1), as_of, f"last {days} days")

    def _measure_time_column(
        self, measure: Measure, plan: QueryPlan | None = None
    ) -> exp.Expression | None:
        """The date column a time window filters for this measure.

        The measure's own (or its condition's) column first; then the column of a plan
        condition on the same source ("orders shipped last week" counts by ship date);
        then the source's default.
        """
        if measure.condition:
            cond = self.model.conditions[measure.condition]
            if cond.no_time_window:
                return None
            if measure.time_column is None and cond.time_column is not None:
                return cond.time_column
        if measure.time_column is not None:
            return measure.time_column
        if plan is not None:
            for name in plan.conditions:
                plan_cond = self.model.conditions.get(name)
                if plan_cond is not None and plan_cond.source == measure.source:
                    if plan_cond.no_time_window:
                        return None
                    if plan_cond.time_column is not None:
                        return plan_cond.time_column
        return self.model.sources[measure.source].time_column

    def _measure_conjuncts(
        self, measure: Measure, as_of: date, plan: QueryPlan | None = None
    ) -> list[exp.Expression]:
        parts: list[exp.Expression] = []
        if measure.condition:
            parts += _conjuncts(_bind(self.model.conditions[measure.condition].sql, as_of))
        if measure.filter is not None:
            standing = _conjuncts(_bind(measure.filter, as_of))
            if plan is not None and status_is_subject(self.model, plan):
                # "orders by status", "how many orders were cancelled": the status is what is
                # asked about, so the glossary's "cancelled never counts" (a rule for measures
                # of business done) does not hide the cancelled rows.
                standing = [c for c in standing if "'CANCELLED'" not in c.sql()]
            parts += standing
        return parts

    def _dimension_keys(
        self, name: str, source: Source, time_column: exp.Expression | None
    ) -> list[_Key]:
        model = self.model
        if name in TIME_GRAINS:
            if time_column is None:
                raise PlanError(
                    f"{source.description.split(',')[0]} have no dates, so they cannot be broken down by {name}."
                )
            trunc = exp.DateTrunc(unit=exp.Literal.string(name), this=time_column.copy())
            return [_Key(name, exp.cast(trunc, exp.DataType.Type.DATE))]
        dim = model.dimensions.get(name)
        if dim is None:
            raise PlanError(f"There is no dimension called '{name}'.")
        if source.name not in model.dimension_sources(name):
            raise PlanError(
                f"{source.description.split(',')[0]} cannot be broken down by {dim.label}."
            )
        keys = [_Key(dim.columns[0], dim.key_for(source.name))]
        if dim.name_expr is not None:
            keys.append(_Key(dim.columns[1], dim.name_expr))
        return keys

    def _filter_predicates(
        self,
        plan_filters: Iterable[Filter],
        source: Source,
        fb: _FromBuilder,
        as_of: date,
        listing_columns: dict[str, exp.Expression] | None = None,
    ) -> list[exp.Expression]:
        model = self.model
        preds: list[exp.Expression] = []
        semi: list[exp.Expression] = []
        for flt in plan_filters:
            if (
                listing_columns is not None
                and flt.field in listing_columns
                and flt.field not in model.dimensions
            ):
                col = _bind(listing_columns[flt.field], as_of)
                fb.use(col)
                preds.append(_filter_predicate(col, flt))
                continue
            dim = model.dimensions.get(flt.field)
            if dim is None:
                raise PlanError(
                    f"Cannot filter on '{flt.field}': it is not a dimension{' or column' if listing_columns else ''}."
                )
            if source.name in model.dimension_sources(flt.field):
                key = dim.key_for(source.name)
                fb.use(key)
                preds.append(_filter_predicate(key, flt))
            elif model.dimension_filterable(flt.field, source.name):
                semi.append(_filter_predicate(dim.key, flt))
            else:
                raise PlanError(
                    f"{source.description.split(',')[0]} cannot be filtered by {dim.label}."
                )
        if semi and source.semi_join is not None:
            sj = source.semi_join
            left, right = sj.key.this, sj.key.expression
            base_side, semi_side = (left, right) if left.table == source.table else (right, left)
            sub = exp.select(semi_side.copy()).from_(exp.to_table(sj.table))
            needed = _tables_in(semi)
            for join in sj.joins:
                if join.name in needed:
                    sub = sub.join(exp.to_table(join.name), on=join.on.copy())
            sub = sub.where(_and(semi))
            fb.use(base_side)
            preds.append(exp.In(this=base_side.copy(), query=exp.Subquery(this=sub)))
        return preds

    def _condition_predicates(
        self, plan: QueryPlan, source: Source, fb: _FromBuilder, as_of: date
    ) -> list[exp.Expression]:
        preds: list[exp.Expression] = []
        for name, negate in [(c, False) for c in plan.conditions] + [
            (c, True) for c in plan.negated_conditions
        ]:
            cond = self.model.conditions.get(name)
            if cond is None:
                raise PlanError(f"There is no condition called '{name}'.")
            if not self.model.condition_applies(name, source.name):
                raise PlanError(
                    f"'{cond.label}' does not apply to {source.description.split(',')[0].lower()}."
                )
            sql = _bind(cond.sql, as_of)
            fb.use(sql)
            preds.append(exp.Not(this=exp.Paren(this=sql)) if negate else sql)
        return preds

    def _window_in_conditions(self, plan: QueryPlan, source: Source) -> bool:
        """Whether a condition of ``plan`` reads a derived join that aggregates over the plan's window."""
        windowed = {j.name for j in source.joins if j.derived is not None and j.derived.plan_window}
        if not windowed:
            return False
        for name in (*plan.conditions, *plan.negated_conditions):
            cond = self.model.conditions.get(name)
            if cond is not None and _tables_in([cond.sql]) & windowed:
                return True
        return False

    def _window_predicate(self, column: exp.Expression, window: TimeWindow) -> exp.Expression:
        if window.start == window.end:
            return exp.EQ(this=column.copy(), expression=_date_literal(window.start))
        return exp.Between(
            this=column.copy(), low=_date_literal(window.start), high=_date_literal(window.end)
        )

    # -- aggregates ----------------------------------------------------------------------------
    def _aggregate(
        self, measure: Measure, residual: Sequence[exp.Expression], as_of: date
    ) -> exp.Expression:
        value = _bind(measure.expr, as_of) if measure.expr is not None else None
        cond = _and(residual)
        if measure.agg == "count" and value is None:
            if cond is None:
                return exp.Count(this=exp.Star())
            return exp.Count(this=exp.Case(ifs=[exp.If(this=cond, true=exp.Literal.number(1))]))
        assert value is not None
        arg = value if cond is None else exp.Case(ifs=[exp.If(this=cond, true=value)])
        if measure.agg == "count_distinct":
            return exp.Count(this=exp.Distinct(expressions=[arg]))
        cls: dict[str, type[exp.Expression]] = {
            "sum": exp.Sum,
            "avg": exp.Avg,
            "min": exp.Min,
            "max": exp.Max,
            "count": exp.Count,
        }
        return cls[measure.agg](this=arg)

    def _metric_expr(self, name: str, measure_expr: Any, window_days: int | None) -> exp.Expression:
        metric = self.model.metrics[name]
        if metric.measure:
            return measure_expr(metric.measure)
        if metric.ratio:
            num, den, divisor = metric.ratio
            denominator = measure_expr(den)
            if divisor != 1:
                denominator = exp.Div(
                    this=denominator, expression=exp.Literal.number(repr(float(divisor)))
                )
            return exp.Div(
                this=exp.cast(measure_expr(num), exp.DataType.Type.DOUBLE),
                expression=exp.Nullif(this=denominator, expression=exp.Literal.number(0)),
            )
        assert metric.expr is not None

        def replace(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Column) and not node.table:
                if node.name in self.model.metrics:
                    return exp.Paren(this=self._metric_expr(node.name, measure_expr, window_days))
                return measure_expr(node.name)
            if isinstance(node, exp.Anonymous) and str(node.this).upper() == "WINDOW_DAYS":
                if window_days is None:
                    raise PlanError(f"{metric.label.capitalize()} needs a time window.")
                return exp.Literal.number(f"{window_days}.0")
            return node

        return metric.expr.copy().transform(replace)

    # -- metrics plans -------------------------------------------------------------------------
    def _source_select(
        self,
        source_name: str,
        measures: Sequence[str],
        dimensions: Sequence[str],
        plan: QueryPlan,
        window: TimeWindow | None,
        as_of: date,
        *,
        key_items: Sequence[_Key] | None = None,
        inline_metrics: Sequence[str] | None = None,
        notes: list[str] | None = None,
    ) -> tuple[exp.Select, list[str]]:
        """SELECT keys + aggregates over one source. Returns the select and its key aliases."""
        model = self.model
        source = model.sources[source_name]
        fb = _FromBuilder(self, source, as_of, plan.time_window)
        specs = [model.measures[m] for m in measures]
        conj = {m.name: self._measure_conjuncts(m, as_of, plan) for m in specs}
        keysets = [{c.sql() for c in conj[m.name]} for m in specs]
        common_keys = set.intersection(*keysets) if keysets else set()
        common = [c for c in (conj[specs[0].name] if specs else []) if c.sql() in common_keys]
        time_cols = {m.name: self._measure_time_column(m, plan) for m in specs}
        distinct_time = {tc.sql() for tc in time_cols.values() if tc is not None}
        all_timed = all(tc is not None for tc in time_cols.values())
        shared_time = (
            next(iter(time_cols.values()))
            if specs and all_timed and len(distinct_time) == 1
            else None
        )

        where: list[exp.Expression] = list(common)
        residual: dict[str, list[exp.Expression]] = {
            m.name: [c for c in conj[m.name] if c.sql() not in common_keys] for m in specs
        }
        if window is not None:
            if shared_time is not None:
                where.append(self._window_predicate(shared_time, window))
            elif distinct_time:
                for m in specs:
                    tc = time_cols[m.name]
                    if tc is not None:
                        residual[m.name].append(self._window_predicate(tc, window))
            elif (
                notes is not None
                and plan.time_window is not None
                and not self._window_in_conditions(plan, source)
            ):
                notes.append(
                    f"{source.description.split(',')[0]} are a current snapshot; the time window '{window.describe()}' does not apply."
                )

        keys: list[_Key] = list(key_items or [])
        for dim in dimensions:
            grain_column = shared_time
            if dim in TIME_GRAINS and grain_column is None and len(distinct_time) == 1:
                grain_column = next(tc for tc in time_cols.values() if tc is not None)
            keys.extend(self._dimension_keys(dim, source, grain_column))
        where += self._filter_predicates(plan.filters, source, fb, as_of)
        where += self._condition_predicates(plan, source, fb, as_of)

        aggregates = {m.name: self._aggregate(m, residual[m.name], as_of) for m in specs}
        projections: list[Any] = [exp.alias_(k.expr.copy(), k.alias) for k in keys]
        window_days = window.days if window else None
        if inline_metrics is not None:
            for metric in inline_metrics:
                projections.append(
                    exp.alias_(
                        self._metric_expr(metric, lambda n: aggregates[n].copy(), window_days),
                        metric,
                    )
                )
        else:
            projections += [exp.alias_(agg, name) for name, agg in aggregates.items()]
        fb.use(*[k.expr for k in keys], *[a for a in aggregates.values()], *where)
        select = fb.apply(exp.select(*projections))
        if where:
            select = select.where(_and(where))
        if keys:
            select = select.group_by(*[k.expr.copy() for k in keys])
        return select, [k.alias for k in keys]

    def _derived_subquery(
        self, derived: Any, as_of: date, window: TimeWindow | None = None
    ) -> exp.Select:
        measure = self.model.measures[derived.measure]
        source = self.model.sources[measure.source]
        keys = []
        for alias, dim_name in derived.keys:
            dim = self.model.dimensions[dim_name]
            keys.append(_Key(alias, dim.key_for(source.name)))
        if window is None and derived.last_days:
            window = TimeWindow(as_of - timedelta(days=derived.last_days - 1), as_of, "")
        select, _ = self._source_select(
            measure.source,
            [measure.name],
            [],
            QueryPlan(metrics=("_",), as_of=as_of),
            window,
            as_of,
            key_items=keys,
        )
        return select

    def _check_metrics_plan(self, plan: QueryPlan) -> None:
        issues = []
        for m in plan.metrics:
            if m not in self.model.metrics:
                issues.append(f"unknown metric '{m}'")
        for d in plan.dimensions:
            if d not in self.model.dimensions and d not in TIME_GRAINS:
                issues.append(f"unknown dimension '{d}'")
        for h in plan.having:
            if h.metric not in plan.metrics:
                issues.append(f"the comparison on '{h.metric}' needs that metric in the plan")
        if issues:
            raise PlanError(
                "The query plan is not valid: " + "; ".join(issues) + ".", detail="; ".join(issues)
            )

    def _compile_metrics(self, plan: QueryPlan) -> CompiledQuery:
        self._check_metrics_plan(plan)
        model = self.model
        as_of = self._as_of(plan)
        window = self.effective_window(plan)
        notes: list[str] = []
        by_source: OrderedDict[str, list[str]] = OrderedDict()
        for metric in plan.metrics:
            for measure in model.metric_measures(metric):
                src = model.measures[measure].source
                lst = by_source.setdefault(src, [])
                if measure not in lst:
                    lst.append(measure)
        # The same grouping columns come out of every source.
        if len(by_source) == 1:
            source_name, measures = next(iter(by_source.items()))
            select, key_aliases = self._source_select(
                source_name,
                measures,
                plan.dimensions,
                plan,
                window,
                as_of,
                inline_metrics=plan.metrics,
                notes=notes,
            )
            metric_exprs = {
                m: p.this
                for p in select.expressions
                if isinstance(p, exp.Alias)
                for m in [p.alias]
                if m in plan.metrics
            }
            for h in plan.having:
                select = select.having(_compare(metric_exprs[h.metric].copy(), h.op, h.value))
            query: exp.Select = select
        else:
            ctes: list[tuple[str, exp.Select]] = []
            key_aliases = []
            for source_name, measures in by_source.items():
                sub, key_aliases = self._source_select(
                    source_name, measures, plan.dimensions, plan, window, as_of, notes=notes
                )
                ctes.append((f"m_{source_name}", sub))
            owner = {m: f"m_{model.measures[m].source}" for ms in by_source.values() for m in ms}
            window_days = window.days if window else None
            projections: list[Any] = [exp.column(k) for k in key_aliases]
            projections += [
                exp.alias_(
                    self._metric_expr(m, lambda n: exp.column(n, table=owner[n]), window_days), m
                )
                for m in plan.metrics
            ]
            outer = exp.select(*projections).from_(exp.to_table(ctes[0][0]))
            for name, _ in ctes[1:]:
                if key_aliases:
                    outer = outer.join(
                        exp.to_table(name), using=list(key_aliases), join_type="full outer"
                    )
                else:
                    outer = outer.join(exp.to_table(name), join_type="cross")
            for name, sub in ctes:
                outer = outer.with_(name, as_=sub)
            if plan.having:
                wrapped = exp.select(*[exp.column(c) for c in [*key_aliases, *plan.metrics]]).from_(
                    outer.subquery("metrics")
                )
                preds = [_compare(exp.column(h.metric), h.op, h.value) for h in plan.having]
                outer = wrapped.where(_and(preds))
            query = outer
        columns = (*key_aliases, *plan.metrics)
        query = self._order_and_limit(query, plan, key_aliases, columns)
        return CompiledQuery(query, _base_tables(query), tuple(columns), tuple(notes))

    def _order_and_limit(
        self,
        query: exp.Select,
        plan: QueryPlan,
        key_aliases: Sequence[str],
        columns: Sequence[str],
        default: Sequence[tuple[str, bool]] = (),
    ) -> exp.Select:
        order: list[tuple[str, bool]] = []
        for o in plan.order_by:
            target = self._order_column(o.field, columns)
            if target is None:
                raise PlanError(f"Cannot sort by '{o.field}': it is not in the result.")
            order.append((target, o.descending))
        if not order:
            grains = [k for k in key_aliases if k in TIME_GRAINS]
            if grains:
                order = [(g, False) for g in grains]
            elif plan.kind == "metrics" and key_aliases:
                order = [(plan.metrics[0], True)]
            else:
                order = list(default)
        # Ties break on the keys so results are deterministic everywhere.
        for k in key_aliases:
            if k not in {c for c, _ in order}:
                order.append((k, False))
        if order:
            query = query.order_by(
                *[exp.Ordered(this=exp.column(c), desc=d, nulls_first=False) for c, d in order]
            )
        if plan.limit is not None:
            query = query.limit(plan.limit)
        return query

    def _order_column(self, name: str, columns: Sequence[str]) -> str | None:
        if name in columns:
            return name
        dim = self.model.dimensions.get(name)
        if dim is not None and dim.columns[0] in columns:
            return dim.columns[0]
        return None

    # -- listings ------------------------------------------------------------------------------
    def listing_columns(self, plan: QueryPlan) -> list[str]:
        listing = self.model.listings[plan.listing or ""]
        names = [c for c, _ in listing.columns]
        for cond_name in plan.conditions:
            cond = self.model.conditions.get(cond_name)
            if cond is not None:
                names += [c for c in cond.listing_columns if c not in names]
        names += [c for c in plan.columns if c not in names]
        for o in plan.order_by:
            if o.field not in names and listing.column(o.field) is not None:
                names.append(o.field)
        return names

    def _compile_listing(self, plan: QueryPlan) -> CompiledQuery:
        model = self.model
        listing = model.listings.get(plan.listing or "")
        if listing is None:
            raise PlanError(f"There is no listing called '{plan.listing}'.")
        as_of = self._as_of(plan)
        source = model.sources[listing.source]
        fb = _FromBuilder(self, source, as_of, plan.time_window)
        names = self.listing_columns(plan)
        for name in plan.columns:
            if listing.column(name) is None:
                raise PlanError(f"{listing.label.capitalize()} have no column '{name}'.")
        all_columns = {c: e for c, e in (*listing.columns, *listing.extra_columns)}
        for name in plan.conditions:
            cond = model.conditions.get(name)
            if cond is not None and not model.condition_applies(name, listing.source):
                raise PlanError(f"'{cond.label}' does not apply to {listing.label}.")
        missing = [n for n in names if n not in all_columns]
        if missing:
            raise PlanError(f"{listing.label.capitalize()} have no column '{missing[0]}'.")
        projections = []
        for name in names:
            col = _bind(all_columns[name], as_of)
            fb.use(col)
            projections.append(exp.alias_(col, name))
        where = self._condition_predicates(plan, source, fb, as_of)
        where += self._filter_predicates(
            plan.filters, source, fb, as_of, listing_columns=all_columns
        )
        notes: list[str] = []
        window = plan.time_window
        if window is not None:
            conds: list[Condition] = [model.conditions[c] for c in plan.conditions]
            if self._window_in_conditions(plan, source):
                pass  # the condition's own aggregate uses the window ("not sold in 90 days")
            elif any(c.no_time_window for c in conds):
                notes.append(
                    f"'{window.describe()}' was not applied: the condition already fixes the date."
                )
            else:
                tc = next(
                    (c.time_column for c in conds if c.time_column is not None), source.time_column
                )
                if tc is None:
                    notes.append(
                        f"{listing.label.capitalize()} are a current snapshot; the time window '{window.describe()}' does not apply."
                    )
                else:
                    fb.use(tc)
                    where.append(self._window_predicate(tc, window))
        select = fb.apply(exp.select(*projections))
        if where:
            select = select.where(_and(where))
        default: list[tuple[str, bool]] = []
        for cond_name in plan.conditions:
            hl = model.conditions[cond_name].highlight
            if hl and hl.get("column") in names:
                default.append((str(hl["column"]), not bool(hl.get("ascending", False))))
                break
        # Deterministic ties: the listing's key columns last.
        tie_keys = [c for c in listing.order_by if c in names]
        select = self._order_and_limit(select, plan, tie_keys, names, default)
        return CompiledQuery(select, _base_tables(select), tuple(names), tuple(notes))


def _base_tables(query: exp.Expression) -> frozenset[str]:
    ctes = {c.alias_or_name for c in query.find_all(exp.CTE)}
    return frozenset(t.name for t in query.find_all(exp.Table) if t.name and t.name not in ctes)


@functools.lru_cache(maxsize=4)
def _default_compiler() -> PlanCompiler:
    return PlanCompiler()


def compile_plan(plan: QueryPlan, dialect: str | None = None) -> CompiledQuery | str:
    """Compile with the packaged model; the SQL text when ``dialect`` is given."""
    compiled = _default_compiler().compile(plan)
    return compiled.sql(dialect) if dialect else compiled


#: Dimensions that are a row's status: grouping or filtering by one makes the status the subject.
STATUS_DIMENSIONS = frozenset({"order_status", "po_status"})


def status_is_subject(model: SemanticModel, plan: QueryPlan) -> bool:
    """Whether the plan asks about statuses themselves (a breakdown by status, a status filter,
    or cancelled rows), so standing exclusions of cancelled rows do not apply."""
    return (
        any(d in STATUS_DIMENSIONS for d in plan.dimensions)
        or any(f.field in STATUS_DIMENSIONS or f.field == "status" for f in plan.filters)
        or any(
            model.conditions[c].cancellation for c in (*plan.conditions,) if c in model.conditions
        )
    )
