"""Generate a synthetic, realistic Python backend (app/ + tests/) with seeded import defects, for benchmarks.

Usage: python bench/generate.py DEST [--modules 5000] [--test-files 2000] [--lines 500000] [--seed 0] [--no-defects]

The project is deterministic for a given set of parameters: the same seed gives byte-identical files.
Project modules only import from modules generated before them (and the packages holding those
are complete), so the clean part of the tree has no import cycles. Every seeded defect is
returned in `GeneratedProject.defects` as (relative path, 1-based line, rule).
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 5

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

AREA_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("core", 0.04),
    ("utils", 0.08),
    ("models", 0.12),
    ("schemas", 0.10),
    ("repositories", 0.10),
    ("services", 0.18),
    ("integrations", 0.07),
    ("workers", 0.08),
    ("ws", 0.06),
    ("api", 0.17),
)


@dataclass(frozen=True)
class AreaProfile:
    """How modules of one top-level area are named and shaped."""

    module_suffix: str
    class_suffix: str
    secondary_kind: str | None  # "enum" | "dataclass" | None
    secondary_suffix: str
    base: str | None  # base class from app.core.base
    is_async: bool = False


PROFILES: dict[str, AreaProfile] = {
    "core": AreaProfile("_settings", "Settings", "enum", "Flag", None),
    "utils": AreaProfile("_utils", "Helper", None, "", None),
    "models": AreaProfile("", "", "enum", "Status", "BaseModel"),
    "schemas": AreaProfile("_schema", "Schema", "dataclass", "Payload", None),
    "repositories": AreaProfile("_repository", "Repository", "dataclass", "Filter", "BaseRepository"),
    "services": AreaProfile("_service", "Service", "dataclass", "Options", "BaseService"),
    "integrations": AreaProfile("_client", "Client", "dataclass", "Response", "BaseClient", True),
    "workers": AreaProfile("_tasks", "Worker", "dataclass", "Job", "BaseWorker"),
    "ws": AreaProfile("_handler", "Handler", "dataclass", "Event", "BaseHandler", True),
    "api": AreaProfile("_routes", "Router", "dataclass", "Request", "BaseRouter", True),
}

DOMAINS: dict[str, tuple[str, ...]] = {
    "billing": ("invoice", "ledger", "charge", "credit_note", "tax_rate", "statement", "refund", "dunning_notice"),
    "users": ("user", "profile", "preference", "session", "avatar", "invitation", "role", "team"),
    "orders": ("order", "order_line", "cart", "checkout", "fulfillment", "return_request", "backorder", "quote"),
    "inventory": ("stock_item", "warehouse", "bin_location", "stock_move", "reservation", "supplier", "lot", "count_sheet"),
    "shipping": ("shipment", "parcel", "carrier", "label", "tracking_event", "route", "manifest", "pickup"),
    "auth": ("token", "credential", "permission", "api_key", "login_attempt", "mfa_device", "policy", "grant"),
    "notifications": ("notification", "email_template", "sms_message", "push_device", "digest", "channel", "delivery", "alert"),
    "reports": ("report", "report_schedule", "dashboard", "metric", "chart", "export_job", "summary", "kpi"),
    "search": ("search_index", "query", "facet", "synonym", "ranking_rule", "suggestion", "document_hit", "crawler"),
    "analytics": ("event", "funnel", "cohort", "segment", "pageview", "attribution", "experiment", "retention"),
    "payments": ("payment", "payout", "card", "wallet", "transaction", "dispute", "settlement", "mandate"),
    "catalog": ("product", "category", "variant", "attribute", "bundle", "brand", "collection", "listing"),
    "pricing": ("price_list", "discount", "coupon", "promotion", "currency", "tier", "surcharge", "quote_rule"),
    "accounts": ("account", "organization", "membership", "billing_contact", "address", "workspace", "plan", "seat"),
    "audit": ("audit_entry", "change_set", "access_log", "retention_policy", "snapshot", "trail", "review", "finding"),
    "messaging": ("message", "thread", "conversation", "attachment", "mention", "reaction", "inbox", "draft"),
    "scheduling": ("appointment", "calendar", "slot", "booking", "availability", "reminder", "timezone_rule", "shift"),
    "documents": ("document", "folder", "revision", "signature", "template", "share_link", "comment", "upload"),
    "support": ("ticket", "agent", "macro", "sla", "escalation", "knowledge_article", "feedback", "queue"),
    "subscriptions": ("subscription", "renewal", "trial", "addon", "usage_record", "entitlement", "billing_cycle", "cancellation"),
}

QUALIFIERS = (
    "daily", "bulk", "pending", "archived", "regional", "partner", "scheduled", "external", "internal",
    "primary", "cached", "batch", "manual", "default", "shared", "tenant", "global", "recurring",
    "secure", "weekly", "monthly", "priority", "staged", "mirrored", "federated", "local", "remote",
    "temporary", "verified", "draft",
)

SUBPACKAGES = (
    "core", "admin", "public", "internal", "common", "helpers", "adapters", "rules", "views", "queries",
    "commands", "events", "export", "intake", "flows", "jobs", "policies", "storage", "webhooks", "reporting",
)
SECOND_LEVEL = ("v1", "v2", "batch", "sync", "streaming", "bulk", "partners", "tenants")

METHOD_VERBS = (
    "process", "refresh", "sync", "load", "store", "publish", "collect", "resolve", "prepare", "dispatch",
    "apply", "reconcile", "compute", "lookup", "register", "flush", "rebuild", "enqueue", "summarize",
    "filter", "merge", "split", "render", "track", "verify", "expire", "restore", "notify",
)
AUX = (
    "records", "batch", "rows", "items", "entries", "snapshot", "history", "metadata", "totals", "changes",
    "queue", "window", "links", "counters", "limits", "defaults", "tags", "owners", "events", "report",
)
STATUS_WORDS = (
    "DRAFT", "ACTIVE", "PENDING", "ARCHIVED", "FAILED", "COMPLETED", "CANCELLED", "SUSPENDED",
    "QUEUED", "EXPIRED", "VERIFIED", "REJECTED",
)
RULE_RELATIVE = "relative-import"
RULE_UNRESOLVED = "unresolved-module"
RULE_MISSING_NAME = "missing-name"
RULE_MISSING_ATTR = "missing-attribute"
RULE_PATCH = "invalid-patch-target"
RULE_SYNTAX = "syntax-error"

# Base classes in app/core/base: module stem -> (class name, methods, instance attributes)
BASES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "model_base": ("BaseModel", ("to_json", "validate", "copy_with"), ("id", "created_at")),
    "repository_base": ("BaseRepository", ("get", "save", "delete", "list_all"), ("table_name", "storage")),
    "service_base": ("BaseService", ("start", "stop", "health_check", "configure"), ("started", "settings")),
    "client_base": ("BaseClient", ("request", "close", "build_url"), ("base_url", "headers")),
    "worker_base": ("BaseWorker", ("run", "schedule", "cancel"), ("queue_name", "scheduled")),
    "handler_base": ("BaseHandler", ("on_connect", "on_message", "on_disconnect"), ("connections",)),
    "router_base": ("BaseRouter", ("register", "dispatch", "list_routes"), ("routes", "prefix")),
}
BASE_BY_CLASS = {cls: (stem, methods, attrs) for stem, (cls, methods, attrs) in BASES.items()}

INSTANCE_ATTRIBUTES = ("name", "timeout", "enabled", "items", "_cache")


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    """One seeded defect: where importsense should report it and under which rule."""

    path: str  # POSIX path relative to the project root
    line: int  # 1-based
    rule: str
    detail: str = ""

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.path, self.line, self.rule)


@dataclass
class GeneratedProject:
    """What `generate_project` wrote: where, how big, and the seeded defects."""

    root: Path
    modules: int
    test_files: int
    files: int
    lines: int
    seed: int
    defects: list[Defect]
    elapsed: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)
    large_modules: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["root"] = str(self.root)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GeneratedProject:
        values = dict(data)
        values["root"] = Path(values["root"])
        values["defects"] = [Defect(**d) for d in values["defects"]]
        return cls(**values)


@dataclass
class ClassSpec:
    """A generated class: its kind, own methods and every attribute an instance or the class has."""

    name: str
    kind: str  # "plain" | "dataclass" | "enum"
    methods: list[str]  # plain methods callable as instance.meth()
    members: list[str]  # every other attribute (fields, self.x, properties, classmethods, enum members)
    base: str | None = None
    async_methods: list[str] = field(default_factory=list)

    def all_names(self) -> list[str]:
        names = list(self.methods) + list(self.async_methods) + list(self.members)
        if self.base:
            _, methods, attrs = BASE_BY_CLASS[self.base]
            names += list(methods) + list(attrs)
        return names


@dataclass
class ModuleSpec:
    """A generated app module: where it lives and what it defines."""

    index: int
    area: str
    domain: str
    package: str  # dotted leaf package
    stem: str
    entity: str
    primary: ClassSpec
    secondary: ClassSpec | None
    functions: list[str]
    constants: list[str]
    all_names: list[str] | None
    broken: bool = False  # holds a syntax error: nothing imports it

    @property
    def dotted(self) -> str:
        return f"{self.package}.{self.stem}"

    @property
    def relpath(self) -> str:
        return self.dotted.replace(".", "/") + ".py"

    def defined(self) -> list[str]:
        names = [self.primary.name] + ([self.secondary.name] if self.secondary else [])
        return names + list(self.functions) + list(self.constants) + ["logger"]

    def star_exports(self) -> list[str]:
        if self.all_names is not None:
            return list(self.all_names)
        return [n for n in self.defined() if not n.startswith("_")]


@dataclass
class PackageSpec:
    """A leaf package holding modules, contiguous in generation order."""

    dotted: str
    area: str
    domain: str
    start: int
    size: int
    init_kind: str = "empty"  # "empty" | "star" | "explicit"
    exports: list[str] = field(default_factory=list)  # names bound by its __init__.py


class Lines:
    """A growing file body that records seeded defects at the line they land on."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.marks: list[tuple[int, str, str]] = []  # (line, rule, detail)

    def add(self, *texts: str) -> None:
        self.lines.extend(texts)

    def mark(self, text: str, rule: str, detail: str) -> None:
        self.lines.append(text)
        self.marks.append((len(self.lines), rule, detail))

    def __len__(self) -> int:
        return len(self.lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def camel(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def words(snake: str) -> str:
    return snake.replace("_", " ")


# ---------------------------------------------------------------------------
# Code templates
# ---------------------------------------------------------------------------


def function_templates(e: str) -> list[tuple[str, str]]:
    """(name, body) pairs of module-level functions about entity `e`; `{use}` is an expression to log."""
    w = words(e)
    return [
        (f"normalize_{e}", f'''def normalize_{e}(payload: dict[str, Any], *, strict: bool = False) -> dict[str, Any]:
    """Return a cleaned copy of a {w} payload."""
    result: dict[str, Any] = {{}}
    for key, value in payload.items():
        if value is None and not strict:
            continue
        if isinstance(value, str):
            value = value.strip()
        result[key.lower()] = value
    logger.debug("normalized %d fields using %r", len(result), {{use}})
    return result'''),
        (f"summarize_{e}_statuses", f'''def summarize_{e}_statuses(items: Iterable[Any]) -> dict[str, int]:
    """Count {w} records by status."""
    counts: Counter[str] = Counter()
    for item in items:
        status = getattr(item, "status", "unknown")
        counts[str(status)] += 1
    logger.debug("status summary built with %r", {{use}})
    return dict(counts)'''),
        (f"load_{e}_settings", f'''def load_{e}_settings(path: str, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read {w} settings from a JSON file, falling back to defaults."""
    settings = dict(defaults or {{}})
    if not os.path.exists(path):
        return settings
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    for key, value in data.items():
        settings.setdefault(key, value)
    return settings'''),
        (f"chunk_{e}_records", f'''def chunk_{e}_records(items: list[Any], size: int = MAX_BATCH_SIZE) -> list[list[Any]]:
    """Split {w} records into batches of at most `size`."""
    if size <= 0:
        raise ValueError("size must be positive")
    batches: list[list[Any]] = []
    for start in range(0, len(items), size):
        batches.append(items[start:start + size])
    logger.debug("split into %d batches, context %r", len(batches), {{use}})
    return batches'''),
        (f"index_{e}_records", f'''def index_{e}_records(items: Iterable[Any], attribute: str = "id") -> dict[Any, list[Any]]:
    """Group {w} records by one attribute."""
    grouped: defaultdict[Any, list[Any]] = defaultdict(list)
    for item in items:
        grouped[getattr(item, attribute, None)].append(item)
    return dict(grouped)'''),
        (f"validate_{e}", f'''def validate_{e}(data: dict[str, Any], required: tuple[str, ...] = ("id", "name")) -> list[str]:
    """List what is wrong with a {w} payload; empty when valid."""
    errors: list[str] = []
    for key in required:
        if key not in data:
            errors.append(f"missing field: {{key}}")
    if "name" in data and not str(data["name"]).strip():
        errors.append("name must not be blank")
    if len(errors) > MAX_ERRORS:
        errors = errors[:MAX_ERRORS]
    logger.debug("validation done with %r", {{use}})
    return errors'''),
        (f"serialize_{e}", f'''def serialize_{e}(value: Any, indent: int | None = None) -> str:
    """Dump a {w} (or anything with to_dict) as JSON."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    return json.dumps(value, indent=indent, sort_keys=True, default=str)'''),
        (f"merge_{e}_records", f'''def merge_{e}_records(primary: dict[str, Any], *others: dict[str, Any]) -> dict[str, Any]:
    """Merge {w} records; nested dicts are merged one level deep."""
    merged = dict(primary)
    for other in others:
        for key, value in other.items():
            if key in merged and isinstance(merged[key], dict) and isinstance(value, dict):
                merged[key] = {{**merged[key], **value}}
            else:
                merged[key] = value
    logger.debug("merged %d records with %r", len(others) + 1, {{use}})
    return merged'''),
        (f"retry_{e}_operation", f'''def retry_{e}_operation(operation: Callable[[], Any], attempts: int = MAX_RETRIES) -> Any:
    """Run a {w} operation, retrying on transient errors."""
    last_error: Exception | None = None
    for attempt in range(attempts):
        try:
            return operation()
        except (OSError, ValueError) as error:
            last_error = error
            logger.warning("attempt %d failed: %s", attempt + 1, error)
    raise RuntimeError("operation failed") from last_error'''),
        (f"diff_{e}_fields", f'''def diff_{e}_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields of a {w} that changed, as (old, new) pairs."""
    changes: dict[str, tuple[Any, Any]] = {{}}
    for key in sorted(set(before) | set(after)):
        old = before.get(key)
        new = after.get(key)
        if old != new:
            changes[key] = (old, new)
    logger.debug("diff computed against %r", {{use}})
    return changes'''),
        (f"fetch_{e}", f'''async def fetch_{e}(identifier: int, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Fetch one {w} by id."""
    await asyncio.sleep(0)
    payload = {{"id": identifier, "timeout": timeout, "kind": "{e}"}}
    logger.info("fetched %s via %r", payload, {{use}})
    return payload'''),
        (f"paginate_{e}_results", f'''def paginate_{e}_results(items: list[Any], page: int = 1, per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of {w} results plus paging metadata."""
    if page < 1:
        page = 1
    start = (page - 1) * per_page
    chunk = items[start:start + per_page]
    return {{
        "items": chunk,
        "page": page,
        "per_page": per_page,
        "total": len(items),
        "has_next": start + per_page < len(items),
    }}'''),
    ]


def method_style(verb: str, aux: str) -> int:
    """Which of the five method shapes `verb_aux` gets; 3 is the async one."""
    return (len(verb) + len(aux)) % 5


def method_body(verb: str, aux: str, e: str) -> str:
    """A method `verb_aux` of a class about entity `e`; `{use}` is an expression using an import."""
    w = words(e)
    name = f"{verb}_{aux}"
    style = method_style(verb, aux)
    if style == 0:
        return f'''    def {name}(self, items: list[Any] | None = None) -> list[Any]:
        """{verb.capitalize()} the {aux} of this {w}."""
        selected = [item for item in (items or []) if item is not None]
        self.items.extend(selected)
        logger.debug("%s: %d %s", self.name, len(selected), "{aux}")
        return selected'''
    if style == 1:
        return f'''    def {name}(self, key: str = "{aux}", default: Any = None) -> Any:
        """Cached {aux} lookup for this {w}."""
        if key in self._cache:
            return self._cache[key]
        value = default if not self.enabled else {{use}}
        self._cache[key] = value
        return value'''
    if style == 2:
        return f'''    def {name}(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        """{verb.capitalize()} {aux} for a {w} payload."""
        if not self.enabled:
            return {{}}
        result = dict(payload or {{}})
        result["source"] = self.name
        result["timeout"] = self.timeout
        result["{aux}"] = len(self.items)
        return result'''
    if style == 3:
        return f'''    async def {name}(self, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """{verb.capitalize()} {aux} asynchronously."""
        await asyncio.sleep(0)
        self.items.append(message or {{}})
        return {{"handled": True, "count": len(self.items), "kind": "{aux}"}}'''
    return f'''    def {name}(self, value: Any = None) -> Any:
        """{verb.capitalize()} {aux} using related components."""
        related = {{use}}
        self._cache[str(value)] = related
        if value is None:
            return related
        return value'''


# ---------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------


class _Generator:
    """One generation run; all randomness comes from one seeded Random."""

    def __init__(self, dest: Path, modules: int, test_files: int, target_lines: int, seed: int, defects: bool):
        if modules < 20:
            raise ValueError("modules must be at least 20")
        self.dest = dest
        self.n_modules = modules
        self.n_tests = max(0, test_files)
        self.target_lines = target_lines
        self.seed = seed
        self.with_defects = defects
        self.rng = random.Random(seed)
        self.modules: list[ModuleSpec] = []
        self.packages: list[PackageSpec] = []
        self.package_of: dict[int, PackageSpec] = {}
        self.module_by_dotted: dict[str, ModuleSpec] = {}
        self.class_names: set[str] = set()
        self.defects: list[Defect] = []
        self.files = 0
        self.lines = 0
        self.dirs: set[str] = set()
        test_share = 0.25 if self.n_tests else 0.0
        # budgets adapt to what is left, so the total lands near target_lines
        self.module_lines_left = target_lines * (1 - test_share)
        self.modules_left = modules
        self.test_lines_left = target_lines * test_share
        self.tests_left = self.n_tests

    # -- files ---------------------------------------------------------------

    def write(self, relpath: str, text: str) -> None:
        path = self.dest / relpath
        parent = path.parent
        key = str(parent)
        if key not in self.dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self.dirs.add(key)
        path.write_text(text, encoding="utf-8")
        self.files += 1
        self.lines += text.count("\n")

    def budget(self, lines_left: float, files_left: int) -> int:
        mean = max(1.0, lines_left / max(1, files_left))
        return int(mean * math.exp(self.rng.gauss(0.0, 0.45) - 0.1))

    # -- tree ----------------------------------------------------------------

    def plan_tree(self) -> None:
        """Leaf packages and module specs, in generation (dependency) order."""
        base_pkg = PackageSpec("app.core.base", "core", "base", 0, len(BASES), "explicit")
        self.packages.append(base_pkg)
        for stem, (cls, methods, attrs) in BASES.items():
            spec = ModuleSpec(
                index=len(self.modules), area="core", domain="base", package=base_pkg.dotted, stem=stem,
                entity=stem, primary=ClassSpec(cls, "plain", list(methods), list(attrs)), secondary=None,
                functions=[], constants=[], all_names=[cls],
            )
            self.add_module(spec, base_pkg)
            base_pkg.exports.append(cls)
        remaining = self.n_modules - len(BASES)
        weights = [w for _, w in AREA_WEIGHTS]
        counts = [max(1, int(remaining * w / sum(weights))) for w in weights]
        counts[-1] += remaining - sum(counts)
        domain_names = list(DOMAINS)
        for (area, _), count in zip(AREA_WEIGHTS, counts):
            n_domains = max(1, min(len(domain_names), round(count / 20)))
            domains = sorted(self.rng.sample(domain_names, n_domains), key=domain_names.index)
            per = [count // n_domains + (1 if i < count % n_domains else 0) for i in range(n_domains)]
            used_entities: set[str] = set()
            for domain, n in zip(domains, per):
                self.plan_domain(area, domain, n, used_entities)

    def plan_domain(self, area: str, domain: str, n: int, used_entities: set[str]) -> None:
        subs = list(SUBPACKAGES)
        self.rng.shuffle(subs)
        sub_iter = iter(subs)
        leaves: list[str] = []
        left = n
        while left > 0:
            first = next(sub_iter, None)
            if first is None:
                first = f"part{len(leaves)}"
            if left > 16 and self.rng.random() < 0.4:
                seconds = self.rng.sample(SECOND_LEVEL, self.rng.randint(2, 3))
                for second in seconds:
                    if left <= 0:
                        break
                    size = min(left, self.rng.randint(3, 10))
                    leaves.append(f"app.{area}.{domain}.{first}.{second}:{size}")
                    left -= size
            else:
                size = min(left, self.rng.randint(3, 12))
                leaves.append(f"app.{area}.{domain}.{first}:{size}")
                left -= size
        for leaf in leaves:
            dotted, size_text = leaf.split(":")
            pkg = PackageSpec(dotted, area, domain, len(self.modules), int(size_text))
            self.packages.append(pkg)
            for _ in range(pkg.size):
                self.add_module(self.plan_module(area, domain, pkg, used_entities), pkg)

    def add_module(self, spec: ModuleSpec, pkg: PackageSpec) -> None:
        self.modules.append(spec)
        self.package_of[spec.index] = pkg
        self.module_by_dotted[spec.dotted] = spec

    def new_entity(self, domain: str, used: set[str]) -> str:
        nouns = DOMAINS[domain]
        for noun in self.rng.sample(nouns, len(nouns)):
            if noun not in used:
                used.add(noun)
                return noun
        while True:
            entity = f"{self.rng.choice(QUALIFIERS)}_{self.rng.choice(nouns)}"
            if entity not in used:
                used.add(entity)
                return entity

    def unique_class(self, name: str) -> str:
        candidate = name
        n = 2
        while candidate in self.class_names:
            candidate = f"{name}{n}"
            n += 1
        self.class_names.add(candidate)
        return candidate

    def plan_module(self, area: str, domain: str, pkg: PackageSpec, used: set[str]) -> ModuleSpec:
        profile = PROFILES[area]
        entity = self.new_entity(domain, used)
        stem = entity + profile.module_suffix
        base = profile.base if profile.base and self.rng.random() < 0.7 else None
        primary_kind = "dataclass" if area == "models" else "plain"
        primary = ClassSpec(self.unique_class(camel(entity) + profile.class_suffix), primary_kind, [], [], base)
        primary.members += list(INSTANCE_ATTRIBUTES) + [f"{entity}_count"]
        secondary = None
        if profile.secondary_kind == "enum":
            members = sorted(self.rng.sample(STATUS_WORDS, self.rng.randint(3, 6)), key=STATUS_WORDS.index)
            secondary = ClassSpec(self.unique_class(camel(entity) + profile.secondary_suffix), "enum", [], members + ["is_terminal"])
        elif profile.secondary_kind == "dataclass" and self.rng.random() < 0.8:
            fields_ = [f"{entity}_id", "name", "tags", "metadata", "status"]
            secondary = ClassSpec(self.unique_class(camel(entity) + profile.secondary_suffix), "dataclass", ["to_dict"], fields_)
        constants = ["DEFAULT_TIMEOUT", "MAX_BATCH_SIZE", "MAX_RETRIES", "MAX_ERRORS", "PAGE_SIZE", f"{entity.upper()}_CACHE_PREFIX"]
        spec = ModuleSpec(
            index=len(self.modules), area=area, domain=domain, package=pkg.dotted, stem=stem, entity=entity,
            primary=primary, secondary=secondary, functions=[], constants=constants, all_names=None,
        )
        return spec

    # -- rendering modules ---------------------------------------------------

    def render_all(self) -> None:
        self.write("pyproject.toml", PYPROJECT)
        self.write("README.md", "# Synthetic backend\n\nGenerated by importsense's bench/generate.py.\n")
        self.write("app/__init__.py", '"""Synthetic backend application."""\n\n__version__ = "1.0.0"\n')
        self.init_written: set[str] = {"app"}
        done: list[int] = []
        done_by_domain: dict[str, list[int]] = {}
        for pkg in self.packages:
            self.write_parent_inits(pkg.dotted)
            for index in range(pkg.start, pkg.start + pkg.size):
                spec = self.modules[index]
                if spec.domain == "base":
                    text = render_base_module(spec)
                    self.write(spec.relpath, text)
                    continue
                self.render_module(spec, pkg, done, done_by_domain)
            self.finish_package(pkg)
            for index in range(pkg.start, pkg.start + pkg.size):
                if not self.modules[index].broken:
                    done.append(index)
                    done_by_domain.setdefault(self.modules[index].domain, []).append(index)

    def write_parent_inits(self, dotted: str) -> None:
        parts = dotted.split(".")
        for depth in range(2, len(parts)):
            name = ".".join(parts[:depth])
            if name in self.init_written:
                continue
            self.init_written.add(name)
            label = words(parts[depth - 1])
            body = f'"""{label.capitalize()} package."""\n'
            if depth == 2 and self.rng.random() < 0.5:
                body += "\n__all__: list[str] = []\n"
            self.write(name.replace(".", "/") + "/__init__.py", body)

    def finish_package(self, pkg: PackageSpec) -> None:
        """Write the leaf package's __init__.py and record what it binds."""
        self.init_written.add(pkg.dotted)
        members = [self.modules[i] for i in range(pkg.start, pkg.start + pkg.size) if not self.modules[i].broken]
        relpath = pkg.dotted.replace(".", "/") + "/__init__.py"
        if pkg.domain == "base":
            lines = ['"""Base classes shared by every layer."""', ""]
            for spec in members:
                lines.append(f"from {spec.dotted} import {spec.primary.name}")
            lines += ["", "__all__ = ["] + [f'    "{s.primary.name}",' for s in members] + ["]"]
            self.write(relpath, "\n".join(lines) + "\n")
            return
        roll = self.rng.random()
        pkg.init_kind = "star" if roll < 0.2 else "explicit" if roll < 0.45 else "empty"
        lines = [f'"""{words(pkg.dotted.split(".")[-1]).capitalize()} {words(pkg.domain)} {pkg.area}."""']
        if pkg.init_kind == "star" and members:
            lines.append("")
            for spec in members:
                lines.append(f"from {spec.dotted} import *  # noqa: F401,F403")
                pkg.exports += [n for n in spec.star_exports() if n not in pkg.exports]
            if self.rng.random() < 0.4:
                lines += ["", "__all__ = ["] + [f'    "{s.primary.name}",' for s in members] + ["]"]
        elif pkg.init_kind == "explicit" and members:
            lines.append("")
            names: list[str] = []
            for spec in members:
                lines.append(f"from {spec.dotted} import {spec.primary.name}")
                names.append(spec.primary.name)
            pkg.exports += names
            lines += ["", "__all__ = ["] + [f'    "{n}",' for n in names] + ["]"]
        self.write(relpath, "\n".join(lines) + "\n")

    def pick_imports(self, spec: ModuleSpec, pkg: PackageSpec, done: list[int], done_by_domain: dict[str, list[int]],
                     taken: set[str]) -> tuple[list[str], list[str]]:
        """Project import lines for `spec` and expressions that use what they import."""
        lines: list[str] = []
        uses: list[str] = []
        rng = self.rng
        if spec.primary.base:
            base = spec.primary.base
            stem = BASE_BY_CLASS[base][0]
            if rng.random() < 0.5:
                lines.append(f"from app.core.base import {base}")
            else:
                lines.append(f"from app.core.base.{stem} import {base}")
            taken.add(base)
        pool_domain = [i for i in done_by_domain.get(spec.domain, []) if self.modules[i].domain != "base"]
        pool_all = [i for i in done if self.modules[i].domain != "base"]
        chosen: list[int] = []
        for _ in range(rng.randint(1, 4)):
            pool = pool_domain if pool_domain and rng.random() < 0.6 else pool_all
            if not pool:
                break
            # prefer recent modules: they are likely in nearby layers
            index = pool[len(pool) - 1 - min(len(pool) - 1, int(rng.expovariate(1 / 40)))]
            if index not in chosen:
                chosen.append(index)
        siblings = [i for i in range(pkg.start, spec.index) if not self.modules[i].broken]
        if siblings and rng.random() < 0.35:
            chosen.append(rng.choice(siblings))
        for index in chosen:
            target = self.modules[index]
            target_pkg = self.package_of[index]
            style = rng.random()
            alias = target.stem
            if style < 0.12 and alias not in taken and target_pkg is not pkg:
                lines.append(f"import {target.dotted} as {alias}")
                taken.add(alias)
                if target.functions:
                    uses.append(f"{alias}.{rng.choice(target.functions)}")
                else:
                    uses.append(f"{alias}.{target.primary.name}")
                continue
            names: list[str] = []
            if target.primary.name not in taken:
                names.append(target.primary.name)
            if target.secondary and target.secondary.name not in taken and rng.random() < 0.5:
                names.append(target.secondary.name)
            if target.functions and rng.random() < 0.6:
                fn = rng.choice(target.functions)
                if fn not in taken:
                    names.append(fn)
            if not names:
                continue
            taken.update(names)
            source = target.dotted
            if (target_pkg is not pkg and style < 0.3 and target_pkg.exports
                    and all(n in target_pkg.exports for n in names)):
                source = target_pkg.dotted
            lines.append(f"from {source} import {', '.join(sorted(names))}")
            for name in names:
                uses.append(self.use_expr(target, name))
        return lines, uses

    def use_expr(self, target: ModuleSpec, name: str) -> str:
        if name == target.primary.name:
            return f"{name}()"
        if target.secondary and name == target.secondary.name:
            if target.secondary.kind == "enum":
                return f"{name}.{target.secondary.members[0]}"
            return f"{name}()"
        return name

    def render_module(self, spec: ModuleSpec, pkg: PackageSpec, done: list[int],
                      done_by_domain: dict[str, list[int]]) -> None:
        rng = self.rng
        profile = PROFILES[spec.area]
        e = spec.entity
        budget = self.budget(self.module_lines_left, self.modules_left)
        if spec.secondary and budget < 90 and rng.random() < 0.7:
            spec.secondary = None
        secondary_text = render_secondary(spec.secondary, e) if spec.secondary else ""
        secondary_lines = secondary_text.count("\n") + 3 if secondary_text else 0
        # Function names first (needed to avoid import collisions); ~45% of the free budget.
        templates = function_templates(e)
        if not profile.is_async:
            templates = [t for t in templates if not t[0].startswith("fetch_")]
        rng.shuffle(templates)
        free = budget - 30 - secondary_lines - 16
        n_functions = max(1, min(len(templates), round(free * 0.45 / 12)))
        chosen_functions = templates[:n_functions]
        function_lines = sum(t.count("\n") + 3 for _, t in chosen_functions)
        spec.functions = [name for name, _ in chosen_functions]
        if rng.random() < 0.3:
            spec.all_names = [spec.primary.name] + ([spec.secondary.name] if spec.secondary else []) + spec.functions[:2]
        taken = set(spec.defined())
        defect_plan = self.module_defects.get(spec.index, [])
        import_lines, uses = self.pick_imports(spec, pkg, done, done_by_domain, taken)
        # the primary class gets methods for what is left of the budget (~8 lines each)
        header = 22 + len(import_lines) + len(defect_plan) + (len(spec.all_names) + 3 if spec.all_names else 0)
        left = budget - header - secondary_lines - 16 - function_lines
        n_methods = max(1, min(60, round(left / 8)))
        methods = rng.sample([(v, a) for v in METHOD_VERBS for a in AUX], n_methods)
        spec.primary.methods = [f"{v}_{a}" for v, a in methods if method_style(v, a) != 3]
        spec.primary.async_methods = [f"{v}_{a}" for v, a in methods if method_style(v, a) == 3]
        spec.primary.members.append(f"from_{e}_dict")
        needs_asyncio = bool(spec.primary.async_methods) or any(n.startswith("fetch_") for n in spec.functions)
        body = Lines()
        body.add(f'"""{words(e).capitalize()} {spec.area} for the {words(spec.domain)} domain."""', "")
        body.add("from __future__ import annotations", "")
        stdlib = ["import json", "import logging", "import os"]
        if needs_asyncio:
            stdlib.insert(0, "import asyncio")
        if spec.secondary and spec.secondary.kind == "enum":
            stdlib.insert(0, "import enum")
        body.add(*sorted(stdlib))
        body.add("from collections import Counter, defaultdict")
        if spec.primary.kind == "dataclass" or (spec.secondary and spec.secondary.kind == "dataclass"):
            body.add("from dataclasses import dataclass, field")
        body.add("from typing import Any, Callable, Iterable", "")
        body.add(*import_lines)
        for kind, payload in defect_plan:
            text, use, rule, detail = payload
            body.mark(text, rule, detail)
            uses.append(use)
        if not uses:
            uses.append("None")
        body.add("", "logger = logging.getLogger(__name__)", "")
        body.add(
            f"DEFAULT_TIMEOUT = {rng.choice((5, 10, 15, 30, 60))}",
            f"MAX_BATCH_SIZE = {rng.choice((50, 100, 200, 500))}",
            f"MAX_RETRIES = {rng.randint(2, 5)}",
            f"MAX_ERRORS = {rng.randint(5, 20)}",
            f"PAGE_SIZE = {rng.choice((20, 25, 50))}",
            f'{e.upper()}_CACHE_PREFIX = "{spec.domain}:{e}:"',
        )
        if spec.all_names is not None:
            body.add("", "__all__ = [")
            body.add(*[f'    "{n}",' for n in spec.all_names])
            body.add("]")
        use_cycle = _cycle(uses)
        if spec.secondary:
            body.add("", "")
            body.add(*secondary_text.split("\n"))
        body.add("", "")
        body.add(*render_primary(spec, [method_body(v, a, e) for v, a in methods], use_cycle).split("\n"))
        for _, template in chosen_functions:
            body.add("", "")
            body.add(*template.replace("{use}", next(use_cycle)).split("\n"))
        if spec.broken:
            self.break_syntax(body, spec.relpath)
        self.flush(spec.relpath, body)
        self.module_lines_left -= len(body)
        self.modules_left -= 1

    def break_syntax(self, body: Lines, relpath: str) -> None:
        """Drop the colon of a `def` line past the middle and record where Python reports it."""
        candidates = [i for i, line in enumerate(body.lines)
                      if line.lstrip().startswith(("def ", "async def ")) and line.endswith(":")]
        later = [i for i in candidates if i >= len(body.lines) // 2] or candidates
        target = later[0]
        body.lines[target] = body.lines[target][:-1]
        try:
            ast.parse(body.text())
        except SyntaxError as error:
            body.marks.append((error.lineno or target + 1, RULE_SYNTAX, error.msg))
            return
        raise AssertionError(f"failed to break {relpath}")

    def flush(self, relpath: str, body: Lines) -> None:
        self.write(relpath, body.text())
        for line, rule, detail in body.marks:
            self.defects.append(Defect(relpath, line, rule, detail))

    # -- defects -------------------------------------------------------------

    def plan_defects(self) -> None:
        """Choose defect hosts (app modules and test files) up front, deterministically."""
        self.module_defects: dict[int, list[tuple[str, Any]]] = {}
        self.test_defects: dict[int, list[str]] = {}
        if not self.with_defects:
            return
        rng = self.rng
        k = max(2, min(6, self.n_modules // 800))
        candidates = [m.index for m in self.modules if m.domain != "base" and m.index > self.package_of[m.index].start]
        rng.shuffle(candidates)
        n_syntax_app = k - 1 if self.n_tests >= 2 else k
        n_app_half = (k + 1) // 2 if self.n_tests else k
        taken: list[int] = []

        def take(n: int, pool: list[int]) -> list[int]:
            out = [i for i in pool if i not in taken][:n]
            taken.extend(out)
            return out

        for index in take(n_syntax_app, candidates):
            self.modules[index].broken = True
        # hosts whose package has an earlier sibling (needed for relative imports)
        for index in take(k, candidates):
            self.module_defects.setdefault(index, []).append(("relative", None))
        for kind in ("moved", "renamed", "removed"):
            for index in take(n_app_half, candidates):
                self.module_defects.setdefault(index, []).append((kind, None))
        if self.n_tests:
            kinds: list[str] = []
            for kind in ("moved", "renamed", "removed"):
                kinds += [kind] * (k - n_app_half)
            kinds += ["attribute"] * k + ["patch"] * k
            hosts = list(range(self.n_tests))
            rng.shuffle(hosts)
            if self.n_tests >= 2:
                self.test_defects[hosts[0]] = ["syntax"]
                hosts = hosts[1:]
            for i, kind in enumerate(kinds):
                self.test_defects.setdefault(hosts[i % len(hosts)], []).append(kind)

    def resolve_module_defects(self) -> None:
        """Fill in each app-module defect now that every module's index is known."""
        for index, plans in self.module_defects.items():
            pkg = self.package_of[index]
            resolved: list[tuple[str, Any]] = []
            for kind, _ in plans:
                if kind == "relative":
                    siblings = [i for i in range(pkg.start, index) if not self.modules[i].broken]
                    if not siblings:
                        continue
                    sib = self.modules[self.rng.choice(siblings)]
                    if self.rng.random() < 0.7:
                        text = f"from .{sib.stem} import {sib.primary.name}"
                        use = f"{sib.primary.name}()"
                    else:
                        text = f"from . import {sib.stem}"
                        use = f"{sib.stem}.{sib.primary.name}"
                    resolved.append((kind, (text, use, RULE_RELATIVE, f"sibling {sib.dotted}")))
                else:
                    target = self.earlier_target(pkg.start)
                    if target is None:
                        continue
                    resolved.append((kind, self.import_defect(kind, target)))
            self.module_defects[index] = resolved

    def earlier_target(self, before: int) -> ModuleSpec | None:
        pool = [m for m in self.modules[:before] if m.domain != "base" and not m.broken]
        return self.rng.choice(pool) if pool else None

    def import_defect(self, kind: str, target: ModuleSpec) -> tuple[str, str, str, str]:
        """(import line, use expression, rule, detail) for a moved module, renamed class or removed helper."""
        if kind == "moved":
            areas = [a for a, _ in AREA_WEIGHTS if a != target.area]
            for area in self.rng.sample(areas, len(areas)):
                parts = target.dotted.split(".")
                parts[1] = area
                old = ".".join(parts)
                if old not in self.module_by_dotted and not any(p.dotted == old for p in self.packages):
                    break
            else:
                old = target.package + ".old_" + target.stem
            return (f"from {old} import {target.primary.name}", f"{target.primary.name}()", RULE_UNRESOLVED,
                    f"moved to {target.dotted}")
        if kind == "renamed":
            current = target.primary.name
            suffix = PROFILES[target.area].class_suffix
            options = [current[: len(current) - len(suffix)] + alt for alt in ("Manager", "Impl", "Legacy", "Base")]
            options += [current + "V1", "Old" + current]
            names = set(target.defined())
            old = next(o for o in self.rng.sample(options, len(options)) if o not in names and o != current)
            return (f"from {target.dotted} import {old}", f"{old}()", RULE_MISSING_NAME, f"renamed to {current}")
        # removed helper
        e = target.entity
        options = [f"legacy_format_{e}", f"{e}_to_legacy_dict", f"coerce_{e}_id", f"old_validate_{e}", f"parse_{e}_v1"]
        names = set(target.defined())
        old = next(o for o in self.rng.sample(options, len(options)) if o not in names)
        return (f"from {target.dotted} import {old}", old, RULE_MISSING_NAME, "removed helper")

    # -- tests ---------------------------------------------------------------

    def render_tests(self) -> None:
        if not self.n_tests:
            return
        self.write("tests/__init__.py", "")
        self.write("tests/conftest.py", CONFTEST)
        self.init_written_tests: set[str] = {"tests"}
        pool = [m for m in self.modules if m.domain != "base" and not m.broken]
        targets: list[ModuleSpec] = []
        while len(targets) < self.n_tests:
            batch = list(pool)
            self.rng.shuffle(batch)
            targets += batch[: self.n_tests - len(targets)]
        # deterministic, path-sorted order of test files (same shape as a real tree)
        order = sorted(range(self.n_tests), key=lambda i: targets[i].dotted)
        used_paths: set[str] = set()
        for test_index, slot in enumerate(order):
            target = targets[slot]
            directory = "tests/" + "/".join(target.package.split(".")[1:3])
            stem = f"test_{target.stem}"
            relpath = f"{directory}/{stem}.py"
            n = 2
            while relpath in used_paths:
                relpath = f"{directory}/{stem}_{n}.py"
                n += 1
            used_paths.add(relpath)
            self.write_test_inits(directory)
            body = self.render_test(target, self.test_defects.get(test_index, []), relpath)
            self.flush(relpath, body)
            self.test_lines_left -= len(body)
            self.tests_left -= 1

    def write_test_inits(self, directory: str) -> None:
        parts = directory.split("/")
        for depth in range(2, len(parts) + 1):
            name = "/".join(parts[:depth])
            if name not in self.init_written_tests:
                self.init_written_tests.add(name)
                self.write(name + "/__init__.py", "")

    def render_test(self, target: ModuleSpec, kinds: list[str], relpath: str) -> Lines:
        rng = self.rng
        budget = self.budget(self.test_lines_left, self.tests_left)
        cls = target.primary
        dotted = target.dotted
        alias = f"{target.stem}_module"
        fixture = f"{target.entity}_instance"
        plain_methods = list(cls.methods)
        body = Lines()
        body.add(f'"""Tests for {dotted}."""', "")
        body.add("from __future__ import annotations", "")
        body.add("from unittest import mock", "from unittest.mock import MagicMock, patch", "")
        body.add("import pytest", "")
        body.add(f"import {dotted} as {alias}")
        names = [cls.name, "DEFAULT_TIMEOUT"] + test_functions(target)
        if target.secondary:
            names.append(target.secondary.name)
        body.add(f"from {dotted} import (")
        body.add(*[f"    {n}," for n in sorted(names)])
        body.add(")")
        pkg = self.package_of[target.index]
        if pkg.exports and cls.name in pkg.exports and rng.random() < 0.5:
            body.add(f"from {pkg.dotted} import {cls.name} as Packaged{cls.name}")
        defect_tests: list[list[tuple[str, str | None, str]]] = []
        for kind in kinds:
            if kind in ("moved", "renamed", "removed"):
                other = self.earlier_target(len(self.modules)) or target
                text, use, rule, detail = self.import_defect(kind, other)
                body.mark(text, rule, detail)
                defect_tests.append([
                    ("", None, ""),
                    (f"def test_{rng.randrange(10**6)}_uses_{other.entity}():", None, ""),
                    (f"    value = {use}", None, ""),
                    ("    assert value is not None", None, ""),
                ])
            elif kind == "attribute":
                missing = self.missing_member(cls)
                if rng.random() < 0.5:
                    defect_tests.append([
                        ("", None, ""),
                        (f"def test_{target.entity}_{missing}_is_available():", None, ""),
                        (f"    instance = {cls.name}()", None, ""),
                        (f"    result = instance.{missing}()", RULE_MISSING_ATTR, f"{cls.name} has no {missing}"),
                        ("    assert result is not None", None, ""),
                    ])
                else:
                    defect_tests.append([
                        ("", None, ""),
                        (f"def test_{target.entity}_{missing}_is_callable():", None, ""),
                        (f"    assert callable({cls.name}.{missing})", RULE_MISSING_ATTR, f"{cls.name} has no {missing}"),
                    ])
            elif kind == "patch":
                bad, detail = self.bad_patch_target(target)
                defect_tests.append([
                    ("", None, ""),
                    (f"def test_{target.entity}_patched_{rng.randrange(10**6)}():", None, ""),
                    (f'    with patch("{bad}") as fake:', RULE_PATCH, detail),
                    ("        fake.return_value = None", None, ""),
                    ("        assert fake.return_value is None", None, ""),
                ])
        body.add("", "")
        body.add("@pytest.fixture", f"def {fixture}():", f"    return {cls.name}()")
        generators = self.test_generators(target, alias, fixture, plain_methods)
        n = 0
        while len(body) < budget - 6 * len(defect_tests) or n < 2:
            body.add("", "")
            body.add(*generators[n % len(generators)](n).split("\n"))
            n += 1
            if n > 200:
                break
        for block in defect_tests:
            for text, rule, detail in block:
                if rule:
                    body.mark(text, rule, detail)
                else:
                    body.add(text)
        if "syntax" in kinds:
            self.break_syntax(body, relpath)
        return body

    def missing_member(self, cls: ClassSpec) -> str:
        existing = set(cls.all_names())
        for _ in range(100):
            name = f"{self.rng.choice(('archive_all', 'recalculate', 'bulk_sync', 'export', 'reindex', 'purge'))}_{self.rng.choice(AUX)}"
            if name not in existing:
                return name
        raise AssertionError("no missing member name found")

    def bad_patch_target(self, target: ModuleSpec) -> tuple[str, str]:
        cls = target.primary
        existing = set(cls.all_names())
        variant = self.rng.randrange(3)
        if variant == 0 and cls.methods:
            method = self.rng.choice(cls.methods)
            for cut in range(1, len(method) - 1):
                typo = method[:cut] + method[cut + 1:]
                if typo not in existing and typo.isidentifier():
                    return f"{target.dotted}.{cls.name}.{typo}", f"typo of {method}"
        if variant == 1:
            names = set(target.defined())
            helper = f"send_{target.entity}_webhook"
            if helper not in names:
                return f"{target.dotted}.{helper}", "function does not exist"
        method = cls.methods[0] if cls.methods else "run"
        for wrong in (f"{target.stem}s", f"{target.stem}_old", f"old_{target.stem}"):
            if f"{target.package}.{wrong}" not in self.module_by_dotted:
                break
        return f"{target.package}.{wrong}.{cls.name}.{method}", "module path does not exist"

    def test_generators(self, target: ModuleSpec, alias: str, fixture: str, methods: list[str]):
        cls = target.primary
        dotted = target.dotted
        funcs = test_functions(target)
        inherited = list(BASE_BY_CLASS[cls.base][1]) if cls.base else []
        rng = self.rng
        e = target.entity

        def t_defaults(n: int) -> str:
            return f'''def test_{e}_defaults_{n}({fixture}):
    assert {fixture}.enabled is True
    assert {fixture}.timeout == DEFAULT_TIMEOUT
    assert isinstance({fixture}.items, list)
    assert {fixture}.{e}_count == 0'''

        def t_param(n: int) -> str:
            func = funcs[n % len(funcs)] if funcs else None
            call = f"{func}(payload)" if func else f"{cls.name}()"
            return f'''@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({{"id": {n}, "name": "alpha"}}, "alpha"),
        ({{"id": {n + 1}, "name": "beta"}}, "beta"),
        ({{"id": {n + 2}, "name": "gamma"}}, "gamma"),
    ],
)
def test_{e}_payload_{n}(payload, expected):
    result = {call}
    assert payload["name"] == expected
    assert result is not None or result is None'''

        def t_patch_method(n: int) -> str:
            method = rng.choice(methods) if methods else None
            if not method:
                return t_defaults(n)
            return f'''def test_{method}_is_patchable_{n}():
    with patch("{dotted}.{cls.name}.{method}") as fake_{method}:
        fake_{method}.return_value = {{"ok": True}}
        instance = {cls.name}()
        assert instance.{method}() == {{"ok": True}}
        fake_{method}.assert_called_once()'''

        def t_patch_function(n: int) -> str:
            if not funcs:
                return t_defaults(n)
            func = funcs[n % len(funcs)]
            return f'''@patch("{dotted}.{func}")
def test_{func}_decorated_patch_{n}(mock_{func}):
    mock_{func}.return_value = []
    assert mock_{func}([]) == []
    mock_{func}.assert_called_once_with([])'''

        def t_monkeypatch(n: int) -> str:
            func = funcs[n % len(funcs)] if funcs else None
            line = (f'\n    monkeypatch.setattr("{dotted}.{func}", lambda *args, **kwargs: None)' if func else "")
            return f'''def test_{e}_monkeypatched_{n}(monkeypatch):
    monkeypatch.setattr({alias}, "DEFAULT_TIMEOUT", 1){line}
    assert {alias}.DEFAULT_TIMEOUT == 1
    assert {alias}.MAX_RETRIES >= 1'''

        def t_patch_object(n: int) -> str:
            method = rng.choice(methods) if methods else None
            if not method:
                return t_defaults(n)
            return f'''def test_{method}_patch_object_{n}():
    with mock.patch.object({cls.name}, "{method}", return_value=None) as fake:
        {cls.name}().{method}()
        assert fake.called'''

        def t_class(n: int) -> str:
            lines = [f"class Test{cls.name}Group{n}:"]
            for method in (methods[:3] if methods else []):
                lines += [f"    def test_{method}_exists(self):", f"        assert callable({cls.name}.{method})", ""]
            for method in inherited[:2]:
                lines += [f"    def test_inherited_{method}(self, {fixture}):",
                          f"        assert {fixture}.{method} is not None", ""]
            lines += ["    def test_magic_mock_spec(self):",
                      f"        fake = MagicMock(spec={cls.name})",
                      "        assert fake is not None"]
            return "\n".join(lines)

        def t_settings(n: int) -> str:
            return f'''def test_{e}_settings_file_{n}(tmp_settings_file, sample_payload):
    instance = {cls.name}()
    instance.items.append(sample_payload)
    assert tmp_settings_file.exists()
    assert instance.items[-1]["id"] == 1'''

        return [t_defaults, t_param, t_patch_method, t_patch_function, t_monkeypatch, t_patch_object, t_class, t_settings]


DICT_FRIENDLY = ("normalize_", "validate_", "serialize_", "merge_", "summarize_", "index_")


def test_functions(target: ModuleSpec) -> list[str]:
    """Up to three functions a test may call with one dict argument."""
    return [f for f in target.functions if f.startswith(DICT_FRIENDLY)][:3]


def _cycle(items: list[str]) -> Iterator[str]:
    while True:
        yield from items


def render_base_module(spec: ModuleSpec) -> str:
    cls = spec.primary
    lines = [f'"""{cls.name}: behaviour shared by every {words(spec.stem.replace("_base", ""))}."""', "",
             "from __future__ import annotations", "", "from typing import Any", "", ""]
    lines.append(f"class {cls.name}:")
    lines.append(f'    """Common {words(spec.stem)} behaviour."""')
    lines.append("")
    if cls.name == "BaseModel":
        lines += ["    id: int | None = None", '    created_at: str = ""', ""]
    else:
        lines.append("    def __init__(self) -> None:")
        defaults = {"table_name": '""', "storage": "{}", "started": "False", "settings": "{}", "base_url": '""',
                    "headers": "{}", "queue_name": '"default"', "scheduled": "[]", "connections": "[]",
                    "routes": "{}", "prefix": '""'}
        for attr in cls.members:
            lines.append(f"        self.{attr}: Any = {defaults[attr]}")
        lines.append("")
    for method in cls.methods:
        lines += [f"    def {method}(self, *args: Any, **kwargs: Any) -> Any:",
                  f'        """{method.replace("_", " ").capitalize()}."""',
                  "        return {\"args\": args, \"kwargs\": kwargs}", ""]
    return "\n".join(lines).rstrip() + "\n"


def render_secondary(cls: ClassSpec, e: str) -> str:
    if cls.kind == "enum":
        members = [m for m in cls.members if m != "is_terminal"]
        lines = [f"class {cls.name}(str, enum.Enum):", f'    """Lifecycle states of a {words(e)}."""', ""]
        lines += [f'    {m} = "{m.lower()}"' for m in members]
        terminal = ", ".join(f"{cls.name}.{m}" for m in members[-2:])
        lines += ["", "    @property", "    def is_terminal(self) -> bool:", f"        return self in ({terminal})"]
        return "\n".join(lines)
    return f'''@dataclass
class {cls.name}:
    """Plain data describing one {words(e)}."""

    {e}_id: int = 0
    name: str = ""
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    status: str = "active"

    def to_dict(self) -> dict[str, Any]:
        return {{
            "{e}_id": self.{e}_id,
            "name": self.name,
            "tags": list(self.tags),
            "metadata": dict(self.metadata),
            "status": self.status,
        }}'''


def render_primary(spec: ModuleSpec, methods: list[str], use_cycle: Iterator[str]) -> str:
    cls = spec.primary
    e = spec.entity
    base = f"({cls.base})" if cls.base else ""
    lines: list[str] = []
    if cls.kind == "dataclass":
        lines += ["@dataclass", f"class {cls.name}{base}:", f'    """A {words(e)} record."""', ""]
        lines += [f'    name: str = "{e}"', "    timeout: int = DEFAULT_TIMEOUT", "    enabled: bool = True",
                  "    items: list[Any] = field(default_factory=list)",
                  "    _cache: dict[str, Any] = field(default_factory=dict, repr=False)",
                  f"    {e}_count: int = 0"]
    else:
        lines += [f"class {cls.name}{base}:", f'    """Coordinates {words(e)} work for the {words(spec.domain)} domain."""', ""]
        lines += [f'    def __init__(self, name: str = "{e}", timeout: int = DEFAULT_TIMEOUT, enabled: bool = True) -> None:']
        if cls.base:
            lines.append("        super().__init__()")
        lines += ["        self.name = name", "        self.timeout = timeout", "        self.enabled = enabled",
                  "        self.items: list[Any] = []", "        self._cache: dict[str, Any] = {}",
                  f"        self.{e}_count = 0"]
    lines += ["", "    @classmethod", f"    def from_{e}_dict(cls, data: dict[str, Any]) -> \"{cls.name}\":",
              "        instance = cls()", '        instance.name = str(data.get("name", instance.name))',
              "        return instance"]
    for body in methods:
        lines.append("")
        lines += body.replace("{use}", next(use_cycle)).split("\n")
    return "\n".join(lines)


PYPROJECT = """[project]
name = "synthetic-backend"
version = "1.0.0"
requires-python = ">=3.10"

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["."]
"""

CONFTEST = '''"""Shared fixtures for the synthetic backend's tests."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def sample_payload():
    return {"id": 1, "name": "sample", "tags": ["a", "b"]}


@pytest.fixture
def tmp_settings_file(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"timeout": 5}), encoding="utf-8")
    return path
'''


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def generate_project(
    dest: Path,
    *,
    modules: int = 5000,
    test_files: int = 2000,
    target_lines: int = 500_000,
    seed: int = 0,
    defects: bool = True,
) -> GeneratedProject:
    """Write a synthetic backend project into `dest` (must be absent or empty) and describe it."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    gen = _Generator(dest, modules, test_files, target_lines, seed, defects)
    gen.plan_tree()
    gen.plan_defects()
    gen.resolve_module_defects()
    gen.render_all()
    gen.render_tests()
    defects_found = sorted(gen.defects, key=lambda d: (d.path, d.line, d.rule))
    return GeneratedProject(
        root=dest.resolve(), modules=len(gen.modules), test_files=gen.n_tests, files=gen.files, lines=gen.lines,
        seed=seed, defects=defects_found, elapsed=time.perf_counter() - started,
        params={"modules": modules, "test_files": test_files, "target_lines": target_lines, "seed": seed,
                "defects": defects, "version": GENERATOR_VERSION},
    )


@dataclass(frozen=True)
class LargeModule:
    """A big module added to a generated project, with the lines a benchmark edits."""

    relpath: str
    lines: int
    toggle_line: int  # 1-based: an import whose name the LSP bench toggles
    toggle_name: str  # the valid name on that line
    toggle_broken: str  # a same-length-ish invalid name
    relative_line: int  # 1-based: a relative import (for a code action)


def make_large_module(project: GeneratedProject, lines: int = 5000, *, name: str = "large_module",
                      seed: int = 0) -> LargeModule:
    """Write `app/.../<name>.py` of about `lines` lines with many imports at the top into `project`."""
    rng = random.Random(f"{seed}-{name}-{lines}")
    root = project.root
    broken = {d.path for d in project.defects if d.rule == RULE_SYNTAX}
    clean = [m for m in _scan_modules(root) if m[1] not in broken and m[2]]
    host_pkg, sibling = "", ("", "")
    for dotted, _, primary in clean:
        if dotted.count(".") >= 4 and ".services." in dotted:
            host_pkg, stem = dotted.rsplit(".", 1)
            sibling = (stem, primary)
            break
    if not host_pkg:
        dotted, _, primary = clean[0]
        host_pkg, stem = dotted.rsplit(".", 1)
        sibling = (stem, primary)
    picked = rng.sample(clean, min(60, len(clean)))
    body = Lines()
    body.add(f'"""A large {name.replace("_", " ")} module: many imports, many functions."""', "")
    body.add("from __future__ import annotations", "", "import json", "import logging", "import os",
             "from collections import Counter, defaultdict", "from typing import Any, Callable, Iterable", "")
    imported: list[str] = []
    toggle = (0, "", "")
    for dotted, _, primary in picked:
        if primary in imported:
            continue
        imported.append(primary)
        body.add(f"from {dotted} import {primary}")
        if toggle[0] == 0 and len(imported) == 10:
            toggle = (len(body), primary, primary[:-1] + "x" + "q")
    body.add(f"from .{sibling[0]} import {sibling[1]} as Sibling{sibling[1]}")
    relative_line = len(body)
    imported.append(f"Sibling{sibling[1]}")
    body.add("", "logger = logging.getLogger(__name__)", "",
             "DEFAULT_TIMEOUT = 30", "MAX_BATCH_SIZE = 100", "MAX_RETRIES = 3", "MAX_ERRORS = 10", "PAGE_SIZE = 25")
    uses = _cycle(imported)
    n = 0
    while len(body) < lines - 12:
        for fname, template in function_templates(f"part{n}"):
            if fname.startswith("fetch_"):
                continue
            body.add("", "")
            body.add(*template.replace("{use}", next(uses)).split("\n"))
            if len(body) >= lines - 12:
                break
        n += 1
    left = lines - len(body) - 4  # fill to exactly `lines` with a lookup table constant
    if left > 0:
        body.add("", "", "FIELD_ORDER = {")
        body.add(*[f'    "field_{i}": {i},' for i in range(left)])
        body.add("}")
    relpath = host_pkg.replace(".", "/") + f"/{name}.py"
    (root / relpath).write_text(body.text(), encoding="utf-8")
    return LargeModule(relpath, len(body), toggle[0], toggle[1], toggle[2], relative_line)


_CLASS_RE = re.compile(r"^class (\w+)", re.MULTILINE)


def _scan_modules(root: Path) -> list[tuple[str, str, str]]:
    """(dotted, relative path, first class name or "") of every app module, sorted by path."""
    out = []
    for path in sorted((root / "app").rglob("*.py")):
        if path.name == "__init__.py" or "/core/base/" in path.as_posix():
            continue
        rel = path.relative_to(root)
        match = _CLASS_RE.search(path.read_text(encoding="utf-8"))
        out.append((".".join(rel.with_suffix("").parts), rel.as_posix(), match.group(1) if match else ""))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a synthetic Python backend project with seeded defects.")
    parser.add_argument("dest", type=Path)
    parser.add_argument("--modules", type=int, default=5000)
    parser.add_argument("--test-files", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-defects", action="store_true")
    parser.add_argument("--manifest", type=Path, help="also write the project description as JSON here")
    args = parser.parse_args(argv)
    try:
        project = generate_project(args.dest, modules=args.modules, test_files=args.test_files,
                                   target_lines=args.lines, seed=args.seed, defects=not args.no_defects)
    except (FileExistsError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.manifest:
        args.manifest.write_text(json.dumps(project.to_json(), indent=1), encoding="utf-8")
    rules: dict[str, int] = {}
    for defect in project.defects:
        rules[defect.rule] = rules.get(defect.rule, 0) + 1
    print(f"wrote {project.files} files, {project.lines} lines ({project.modules} modules, "
          f"{project.test_files} test files) to {project.root} in {project.elapsed:.2f}s")
    print(f"seeded {len(project.defects)} defects: " + ", ".join(f"{k}={v}" for k, v in sorted(rules.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
