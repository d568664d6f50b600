"""Definitions as data: three-valued rules that derive a yes/no condition from a table's items.

A rule is YAML data, never code or an expression string: the config schema checks its shape
(`$defs/rule`), `check_rules` its references and depth (this module, plain Python: the workflow
checks a config at parse time without loading pandas), and derive.Evaluation computes it
column-wise. Values are three-valued, yes / no / unknown, held in pandas' nullable booleans, whose & | ~ are
Kleene's logic: `all` is no if any part is no, yes if every part is yes, otherwise unknown; `any`
is yes if any part is yes, no if every part is no, otherwise unknown; `not` swaps yes and no.

The forms:
- `{item: MPQ070, codes: {1: yes, 2: no, 7: null, 9: null}}`: an item (a column) whose codes
  mean yes, no or unknown (null). The key `blank` names an empty cell, which is unknown unless
  mapped. A value with no entry is not guessed: it is a problem of its row, which is quarantined.
- `{all: [rule, ...]}`, `{any: [rule, ...]}`, `{not: rule}`.
- `{if: rule, then: rule, else: rule}`: `then` where the condition is yes, `else` (default no)
  where it is no, unknown where it is unknown. An item that is blank both when the answer was
  "not affected" and when the question was never asked can so count as "no" only where it was
  asked. The conditional is strict in its condition (McCarthy's), which keeps every rule monotone:
  learning an unknown value never turns a yes into a no.
- `{rule: name}`: another named rule of the same dataset; `yes` / `no`: the constants.

Item names are matched without regard to case (NHANES spells MPD050I as MPD050i in 1999-2002).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..columns import alternative_column
from ..errors import ConfigError

BLANK = "blank"  # the codes key of an empty cell
MAX_DEPTH = 8  # rules nest at most this deep; named rules (`rule:`) start again at 1
MAX_CHAIN = 16  # named rules use named rules at most this deep (the NHANES examples: 2)
MAX_CONFIG_DEPTH = 64  # any config nested deeper is refused before the schema walks it
FORMS = ("item", "all", "any", "not", "if", "rule")


def form(rule) -> str:
    """Which of the rule forms this is: constant, item, all, any, not, if or rule."""
    if isinstance(rule, bool):
        return "constant"
    return next(key for key in FORMS if key in rule)


def parts(rule) -> list:
    """The rules directly inside this one."""
    kind = form(rule)
    if kind in ("all", "any"):
        return list(rule[kind])
    if kind == "not":
        return [rule["not"]]
    if kind == "if":
        return [rule["if"], rule["then"]] + ([rule["else"]] if "else" in rule else [])
    return []


def walk(rule) -> Iterator:
    """This rule and every rule inside it (not following `rule:` references)."""
    stack = [rule]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(parts(current)))


def depth(rule) -> int:
    return 1 + max((depth(p) for p in parts(rule)), default=0)


def nesting_depth(data) -> int:
    """How deep mappings and lists nest in `data`, computed without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        children = current.values() if isinstance(current, Mapping) else current if isinstance(current, list) else []
        stack.extend((child, level + 1) for child in children if isinstance(child, Mapping | list))
    return deepest


def check_nesting(config) -> None:
    """Refuse a config too deeply nested to be a real one, before anything recurses into it."""
    if nesting_depth(config) > MAX_CONFIG_DEPTH:
        raise ConfigError(
            f"The configuration nests more than {MAX_CONFIG_DEPTH} levels deep; no valid configuration does. "
            "Check the rules for a runaway nesting of all/any/not/if."
        )


def referenced(rule) -> list[str]:
    """Names of the named rules this rule uses directly."""
    return [r["rule"] for r in walk(rule) if form(r) == "rule"]


def item_rules(rule, rules: Mapping) -> list:
    """Every item rule this rule uses, following named rules, in first-use order."""
    seen, found, stack = set(), [], [rule]
    while stack:
        for r in walk(stack.pop()):
            if form(r) == "item" and r not in found:
                found.append(r)
            elif form(r) == "rule" and r["rule"] not in seen and r["rule"] in rules:
                seen.add(r["rule"])
                stack.append(rules[r["rule"]])
    return found


def items_of(rule, rules: Mapping) -> list[str]:
    """Every item the rule reads, following named rules, in first-use order."""
    return list(dict.fromkeys(r["item"] for r in item_rules(rule, rules)))


def check_key(item_rule) -> tuple[str, str]:
    """How an evaluation files the check of an item rule."""
    return item_rule["item"], repr(item_rule["codes"])


def check_rules(rules: Mapping, where: str, extra: Mapping | None = None) -> None:
    """ConfigError unless every rule is shallow enough, names existing rules, and none uses itself.

    `extra` are rules that are not named (such as `unknown_if` rules) but may use named ones.
    """
    for name, rule in list(rules.items()) + list((extra or {}).items()):
        if depth(rule) > MAX_DEPTH:
            raise ConfigError(
                f"{where}: the rule '{name}' nests {depth(rule)} levels deep, more than {MAX_DEPTH}. "
                "Split it into named rules and refer to them with {rule: name}."
            )
        for used in referenced(rule):
            if used not in rules:
                known = ", ".join(sorted(rules)) or "none"
                raise ConfigError(
                    f"{where}: the rule '{name}' uses {{rule: {used}}}, which is not defined (rules: {known})."
                )
        for r in walk(rule):
            words = [k for k in r.get("codes", {}) if isinstance(k, bool)] if form(r) == "item" else []
            if words:
                raise ConfigError(
                    f"{where}: the codes of item {r['item']} in rule '{name}' have a key YAML read as {words[0]} "
                    '(an unquoted yes, no, on, off, true or false). Quote it: {"yes": yes}.'
                )
    chains = chain_depths(rules, where)
    name = max(chains, key=chains.get, default=None)
    if name is not None and chains[name] > MAX_CHAIN:
        path = [name]
        while referenced(rules[path[-1]]):
            path.append(max(referenced(rules[path[-1]]), key=chains.get))
        shown = " -> ".join(path if len(path) <= 6 else [*path[:3], "...", *path[-2:]])
        raise ConfigError(
            f"{where}: the rule '{name}' uses named rules {chains[name]:,} deep ({shown}), more than {MAX_CHAIN}. "
            "Write the chain as fewer rules: a rule can list several parts under all: or any: instead of "
            "naming one rule that names the next."
        )


def chain_depths(rules: Mapping, where: str) -> dict[str, int]:
    """Each named rule's chain: 1, plus the longest chain of the named rules it uses. ConfigError on a loop.

    A depth-first search kept on a list, not the call stack, so that a chain of any length is measured.
    """
    chains: dict[str, int] = {}
    for start in rules:
        path, pending = [start], [iter(referenced(rules[start]))]
        while path:
            used = next(pending[-1], None)
            if used is None:
                name = path.pop()
                pending.pop()
                chains[name] = 1 + max((chains[u] for u in referenced(rules[name])), default=0)
            elif used in path:
                loop = " -> ".join((*path[path.index(used) :], used))
                raise ConfigError(f"{where}: rules use each other in a loop ({loop}); a rule cannot depend on itself.")
            elif used not in chains:
                path.append(used)
                pending.append(iter(referenced(rules[used])))
    return chains


def named_in_order(name: str, rules: Mapping) -> list[str]:
    """`name` and the named rules it uses, each after those it uses (rules checked to have no loop)."""
    order, done, stack = [], set(), [(name, False)]
    while stack:
        current, expanded = stack.pop()
        if current in done:
            continue
        if expanded:
            done.add(current)
            order.append(current)
            continue
        stack.append((current, True))
        stack.extend((used, False) for used in referenced(rules[current]) if used not in done)
    return order


def resolve(name: str, columns) -> str | None:
    """The column a name means: the same name, else the one name equal to it without regard to case."""
    columns = [str(c) for c in columns]
    if name in columns:
        return name
    matches = [c for c in columns if c.lower() == name.lower()]
    return matches[0] if len(matches) == 1 else None


def describe(rule, rules: Mapping | None = None) -> str:
    """The rule in plain words, e.g. 'MPQ070 is 1 (no if 2; unknown if 7, 9 or blank)'."""
    kind = form(rule)
    if kind == "constant":
        return "yes" if rule else "no"
    if kind == "item":
        return _describe_item(rule["item"], rule["codes"])
    if kind == "rule":
        return rule["rule"].replace("_", " ")
    if kind == "not":
        return f"not [{describe(rule['not'])}]"
    if kind == "if":
        otherwise = describe(rule.get("else", False))
        return (
            f"if [{describe(rule['if'])}] then [{describe(rule['then'])}], else {otherwise} (unknown where the 'if' is)"
        )
    joined = "; ".join(describe(p) for p in rule[kind])
    return f"{'all' if kind == 'all' else 'any'} of [{joined}]"


def _describe_item(item: str, codes: Mapping) -> str:
    grouped = {True: [], False: [], None: []}
    for code, meaning in codes.items():
        grouped[meaning].append(str(code))
    if BLANK not in codes:
        grouped[None].append(BLANK)
    listed = {k: _or_list(v) for k, v in grouped.items() if v}
    head = f"{item} is {listed[True]}" if True in listed else f"{item} is never yes"
    tail = [f"{word} if {listed[k]}" for k, word in ((False, "no"), (None, "unknown")) if k in listed]
    return head + (f" ({'; '.join(tail)})" if tail else "")


def _or_list(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def check_definitions(name: str, dataset: Mapping, conditions) -> None:
    """ConfigError for definitions a schema cannot judge: references, loops, depth, names."""
    rules = dict(dataset.get("rules", {}))
    known = set(conditions) | {"bmi"}
    where = f"Dataset '{name}'"
    for key in dataset.get("unknown_if", {}):
        if key not in known:
            raise ConfigError(f"{where}: `unknown_if` names '{key}', which is neither bmi nor a condition.")
        if key not in rules and key not in dataset.get("columns", {}):
            raise ConfigError(f"{where}: `unknown_if` names '{key}', which the dataset neither maps nor derives.")
    for key, universe in dataset.get("universes", {}).items():
        if key not in conditions:
            raise ConfigError(f"{where}: `universes` names '{key}', which is not in `conditions`.")
        check_universe(where, key, universe, dataset)
    for key, definitions in dataset.get("alternatives", {}).items():
        if key not in conditions:
            raise ConfigError(f"{where}: `alternatives` names '{key}', which is not in `conditions`.")
        if key in definitions:
            raise ConfigError(
                f"{where}: `alternatives: {key}` has a definition named '{key}', the name of the primary "
                "definition (the condition's own); name the alternative after what it means."
            )
    for key in [*rules, *dataset.get("categories", {})]:
        if key in dataset.get("columns", {}):
            raise ConfigError(f"{where}: '{key}' is both mapped in `columns` and derived by rules; keep one.")
    extra = dict(dataset.get("unknown_if", {})) | category_rules(dataset) | alternative_rules(dataset)
    check_rules(rules, where, extra)
    for cycle in dataset.get("cycles", []):
        extra = set(cycle.get("rules", {})) - set(rules)
        if extra:
            raise ConfigError(
                f"{where}, cycle {cycle['name']}: `rules` replaces {', '.join(sorted(extra))}, which the dataset "
                "does not define; define it under the dataset's `rules` first (cycles override, never add)."
            )
        check_rules(rules | dict(cycle.get("rules", {})), f"{where}, cycle {cycle['name']}", extra)


def check_universe(where: str, condition: str, universe: Mapping, dataset: Mapping) -> None:
    """A universe's ages run from min_age up to max_age (both included) and meet the dataset's valid ages."""
    low, high = universe.get("min_age", 0), universe.get("max_age", float("inf"))
    if low > high:
        raise ConfigError(
            f"{where}: `universes: {condition}:` has `min_age: {low:g}` above `max_age: {high:g}`, so {condition} "
            "would be unknown at every age. Give the youngest age it was measured at as min_age and the oldest "
            "as max_age."
        )
    valid_low, valid_high = dataset.get("min_age", 0), dataset.get("max_age", float("inf"))
    if high < valid_low or low > valid_high:
        raise ConfigError(
            f"{where}: `universes: {condition}:` (ages {low:g} to {high:g}) has no age in common with the dataset's "
            f"valid ages ({valid_low:g} to {valid_high:g}, `min_age` and `max_age`), so {condition} would be unknown "
            "for every row. Fix the universe's ages."
        )


def check_auxiliary(name: str, dataset: Mapping, reserved) -> None:
    """ConfigError unless each of `imputation: auxiliary:` is a named rule of the dataset that is not a
    condition nor a name of the rows or the imputation model (`reserved`)."""
    rules = dataset.get("rules", {})
    for key in (dataset.get("imputation") or {}).get("auxiliary", []):
        if key in reserved:
            raise ConfigError(
                f"Dataset '{name}': `imputation: auxiliary:` names '{key}', which is a condition, a harmonized "
                "column, a declared variable or a variable of the imputation model; name a rule that is none of these."
            )
        if key not in rules:
            listed = ", ".join(rules) or "none"
            raise ConfigError(
                f"Dataset '{name}': `imputation: auxiliary:` names '{key}', which is not a named rule of the "
                f"dataset (its `rules:`: {listed}). Define the rule under `rules:` or fix the name."
            )


def category_rules(dataset: Mapping) -> dict:
    """The rules of the dataset's `categories:`, each named '<variable>: <level>'."""
    return {
        f"{variable}: {level}": rule
        for variable, levels in dataset.get("categories", {}).items()
        for level, rule in levels.items()
    }


def alternative_rules(dataset: Mapping, conditions=None) -> dict:
    """The rules of the dataset's `alternatives:` (of `conditions`, if given), each named by its column."""
    return {
        alternative_column(condition, definition): rule
        for condition, definitions in dataset.get("alternatives", {}).items()
        if conditions is None or condition in conditions
        for definition, rule in definitions.items()
    }
