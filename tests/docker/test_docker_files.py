"""The production Docker setup (docker/) stays consistent with CKAN and the code.

No Docker engine runs on the development machines, so these tests check what
can be checked without one: the compose file as Compose reads it, the Solr
configset against the schema CKAN 2.12 ships and the version check CKAN runs
at start-up, the project's facet fields, and the files the image is built from.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.dom.minidom
from collections import OrderedDict
from pathlib import Path

import ckan
import ckan.plugins as plugins
import ckanext.scheming
import pytest
import yaml
from ckan.lib.search import SUPPORTED_SCHEMA_VERSIONS

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
SOLR = DOCKER / "solr"
SCHEMA = SOLR / "schema.xml"
CKAN_SCHEMA = Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"
DATASET_SCHEMA = ROOT / "schemas" / "dataset.yaml"

PRESETS = ROOT / "schemas" / "presets.yaml"

# The project's coded dataset fields that the Solr path must facet on.
PROJECT_FACET_FIELDS = (
    "sharing_class",
    "importance",
    "personal_data",
    "sector",
    "provinces",
    "data_layer",
    "source_database",
    "frequency",
)
# Fields of CKAN's own package schema: indexed by CKAN itself, not by name.
CORE_FIELDS = {
    "id", "name", "title", "notes", "url", "version", "author", "author_email",
    "maintainer", "maintainer_email", "license_id", "owner_org", "private",
    "state", "type", "tag_string", "tags", "groups", "resources", "extras",
}  # fmt: skip


# ---------------------------------------------------------------- helpers


def _dom(path: Path) -> xml.dom.minidom.Document:
    return xml.dom.minidom.parse(str(path))


class SolrSchema:
    """The parts of a Solr schema.xml that decide where a field is indexed."""

    def __init__(self, path: Path) -> None:
        root = _dom(path).documentElement
        self.root = root
        self.types = {
            t.getAttribute("name"): t
            for tag in ("fieldType", "fieldtype")
            for t in root.getElementsByTagName(tag)
        }
        self.fields = {f.getAttribute("name"): f for f in root.getElementsByTagName("field")}
        self.dynamic = {
            f.getAttribute("name"): f for f in root.getElementsByTagName("dynamicField")
        }
        self.copy_fields = {
            (c.getAttribute("source"), c.getAttribute("dest"))
            for c in root.getElementsByTagName("copyField")
        }
        self.unique_key = root.getElementsByTagName("uniqueKey")[0].firstChild.data.strip()

    def resolve(self, name: str) -> tuple[str, xml.dom.minidom.Element] | None:
        """Solr's rule: an explicit field, else the longest matching pattern."""
        if name in self.fields:
            return name, self.fields[name]
        for pattern in sorted(self.dynamic, key=len, reverse=True):
            if pattern.startswith("*") and name.endswith(pattern[1:]):
                return pattern, self.dynamic[pattern]
            if pattern.endswith("*") and name.startswith(pattern[:-1]):
                return pattern, self.dynamic[pattern]
        return None

    def multi_valued(self, element: xml.dom.minidom.Element) -> bool:
        value = element.getAttribute("multiValued") or self.types[
            element.getAttribute("type")
        ].getAttribute("multiValued")
        return value == "true"

    def type_class(self, element: xml.dom.minidom.Element) -> str:
        return self.types[element.getAttribute("type")].getAttribute("class")


@pytest.fixture(scope="module")
def schema() -> SolrSchema:
    return SolrSchema(SCHEMA)


@pytest.fixture(scope="module")
def ckan_schema() -> SolrSchema:
    return SolrSchema(CKAN_SCHEMA)


def _compose(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose binary is missing (Debian: apt-get install docker-compose)")
    return subprocess.run(
        [binary, "-f", str(DOCKER / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        env=env if env is not None else os.environ.copy(),
        timeout=60,
    )


def _volumes(service: dict) -> list[tuple[str, str]]:
    """(source, target) of each volume, short ("a:b:ro") or long syntax."""
    pairs = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            pairs.append((volume["source"], volume["target"]))
        else:
            source, target = volume.split(":")[:2]
            pairs.append((source, target))
    return pairs


# ---------------------------------------------------------------- compose


@pytest.fixture(scope="module")
def compose_config() -> dict:
    result = _compose("--env-file", str(DOCKER / ".env.example"), "config")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_config_parses_with_the_example_env(compose_config):
    assert set(compose_config["services"]) == {"ckan", "db", "redis", "solr"}
    assert compose_config["services"]["redis"]["image"].startswith("redis:7")
    assert compose_config["services"]["db"]["image"] in {"postgres:15", "postgres:16"}
    assert compose_config["services"]["solr"]["image"].startswith("solr:9")


def test_compose_refuses_to_run_without_a_database_password(tmp_path):
    empty_env = tmp_path / "empty.env"
    empty_env.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in {"POSTGRES_PASSWORD", "CKAN_SITE_URL"}}
    result = _compose("--env-file", str(empty_env), "config", env=env)
    assert result.returncode != 0
    assert "docker/.env" in result.stderr


def test_ckan_talks_to_the_solr_core_the_solr_service_creates(compose_config):
    ckan_env = compose_config["services"]["ckan"]["environment"]
    solr = compose_config["services"]["solr"]
    assert ckan_env["CKAN_SEARCH_BACKEND"] == "solr"

    command = solr["command"]
    assert command[0] == "solr-precreate"
    core, configset = command[1], command[2]
    assert ckan_env["CKAN_SOLR_URL"] == f"http://solr:8983/solr/{core}"

    # the configset directory given to solr-precreate holds docker/solr as conf/
    assert (str(SOLR), configset + "/conf") in _volumes(solr)
    # ICU folding of schema.xml lives in the analysis-extras module
    assert "analysis-extras" in solr["environment"]["SOLR_MODULES"].split(",")


def test_database_gets_the_search_extensions(compose_config):
    init = [
        source
        for source, target in _volumes(compose_config["services"]["db"])
        if target.startswith("/docker-entrypoint-initdb.d/")
    ]
    assert len(init) == 1
    sql = Path(init[0]).read_text("utf-8").lower()
    assert "create extension if not exists unaccent" in sql
    assert "create extension if not exists pg_trgm" in sql


# ---------------------------------------------------------------- image


def test_dockerfile_copies_only_files_that_exist_and_are_in_the_context():
    dockerfile = (DOCKER / "Dockerfile").read_text("utf-8")
    ignore = (DOCKER / "Dockerfile.dockerignore").read_text("utf-8").split()
    included = {line[1:] for line in ignore if line.startswith("!")}
    sources = []
    for line in dockerfile.splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            sources += [w for w in words[1:-1] if not w.startswith("--")]
    assert "requirements.txt" in sources and "setup.py" in sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert source in included, f"{source} is left out of the build context"


def test_entrypoint_uses_options_that_write_config_accepts():
    entrypoint = (DOCKER / "entrypoint.sh").read_text("utf-8")
    write_config = (ROOT / "scripts" / "write_config.py").read_text("utf-8")
    call = entrypoint[entrypoint.index("scripts/write_config.py") :].split("\n\n")[0]
    options = set(re.findall(r"(--[a-z][a-z-]+)", call))
    assert {"--search-backend", "--solr-url", "--sqlalchemy-url"} <= options
    for option in options:
        assert f'"{option}"' in write_config, option
    assert 'ckan -c "$CKAN_INI" db upgrade -p vnopendata' in entrypoint


# ---------------------------------------------------------------- Solr configset


@pytest.mark.parametrize("path", sorted(SOLR.glob("*.xml")), ids=lambda p: p.name)
def test_solr_xml_is_well_formed(path):
    _dom(path)


def test_configset_has_the_schema_and_solrconfig():
    assert SCHEMA.is_file() and (SOLR / "solrconfig.xml").is_file()


def test_schema_version_is_accepted_by_ckan():
    # ckan.lib.search.check_solr_schema_version(schema_file=...) asks a live
    # Solr first; this is its parsing of the file, on our schema.
    root = xml.dom.minidom.parseString(SCHEMA.read_bytes()).documentElement
    name = root.getAttribute("name")
    assert name.startswith("ckan-")
    version = name.split("-")[1]
    assert version in SUPPORTED_SCHEMA_VERSIONS
    # and it is the version of the CKAN that is installed
    assert name == _dom(CKAN_SCHEMA).documentElement.getAttribute("name")


def test_schema_keeps_everything_ckan_indexes(schema, ckan_schema):
    assert schema.unique_key == ckan_schema.unique_key
    for name, field in ckan_schema.fields.items():
        ours = schema.fields.get(name)
        assert ours is not None, name
        assert schema.multi_valued(ours) == ckan_schema.multi_valued(field), name
        assert schema.type_class(ours) == ckan_schema.type_class(field), name
        for attribute in ("indexed", "stored", "required"):
            assert ours.getAttribute(attribute) == field.getAttribute(attribute), (name, attribute)
    for name, field in ckan_schema.dynamic.items():
        assert name in schema.dynamic, name
        assert schema.type_class(schema.dynamic[name]) == ckan_schema.type_class(field)
    assert ckan_schema.copy_fields <= schema.copy_fields


@pytest.mark.parametrize("type_name", ["text", "text_general", "text_ngram"])
def test_text_types_fold_vietnamese(schema, type_name):
    analyzers = schema.types[type_name].getElementsByTagName("analyzer")
    assert {a.getAttribute("type") for a in analyzers} == {"index", "query"}
    for analyzer in analyzers:
        filters = [f.getAttribute("class") for f in analyzer.getElementsByTagName("filter")]
        chars = [c.getAttribute("class") for c in analyzer.getElementsByTagName("charFilter")]
        assert "solr.ICUFoldingFilterFactory" in filters
        assert "solr.ICUNormalizer2CharFilterFactory" in chars
        assert "solr.MappingCharFilterFactory" in chars
        # no English stemming of Vietnamese syllables
        assert not any("Stem" in f or "Snowball" in f for f in filters)


def test_fields_searched_by_ckan_fold(schema):
    # ckan.lib.search.query.QUERY_FIELDS plus the autocomplete fields
    for name in ("title", "text", "notes", "res_name", "title_ngram", "name_ngram"):
        field_type = schema.types[schema.fields[name].getAttribute("type")]
        classes = [f.getAttribute("class") for f in field_type.getElementsByTagName("filter")]
        assert "solr.ICUFoldingFilterFactory" in classes, name


def test_d_with_stroke_is_mapped():
    mapping = (SOLR / "mapping-vi.txt").read_text("utf-8")
    rules = dict(re.findall(r'^"(.+)"\s*=>\s*"(.*)"', mapping, re.MULTILINE))
    assert rules == {"Đ": "D", "đ": "d"}


def test_every_file_the_schema_names_is_shipped(schema):
    for element in schema.root.getElementsByTagName("*"):
        for attribute in ("mapping", "synonyms", "protected", "words"):
            if element.hasAttribute(attribute):
                assert (SOLR / element.getAttribute(attribute)).is_file(), attribute


def test_project_facet_fields_are_exact_strings(schema):
    for name in PROJECT_FACET_FIELDS:
        field = schema.fields.get(name)
        assert field is not None, name
        assert schema.type_class(field) == "solr.StrField", name
        assert (
            field.getAttribute("docValues") == "true"
            or schema.types[field.getAttribute("type")].getAttribute("docValues") == "true"
        ), name


def test_every_facet_of_the_portal_is_a_field_of_the_solr_schema(schema):
    # the facets as the loaded plugins build them for the search page
    facets: OrderedDict[str, str] = OrderedDict(
        (name, name) for name in ("organization", "groups", "tags", "res_format", "license_id")
    )
    for plugin in plugins.PluginImplementations(plugins.IFacets):
        facets = plugin.dataset_facets(facets, "dataset")
    for name in facets:
        resolved = schema.resolve(name)
        assert resolved is not None and resolved[0] != "*", (
            f"facet {name!r} has no field of its own in docker/solr/schema.xml"
        )


def _dataset_fields() -> list[dict]:
    """The dataset schema's fields with their scheming presets applied."""
    presets = {}
    for path in (PRESETS, Path(ckanext.scheming.__file__).parent / "presets.json"):
        if path.exists():
            for preset in yaml.safe_load(path.read_text("utf-8"))["presets"]:
                presets.setdefault(preset["preset_name"], preset["values"])
    dataset = yaml.safe_load(DATASET_SCHEMA.read_text("utf-8"))
    return [
        {**presets.get(field.get("preset", ""), {}), **field}
        for field in dataset.get("dataset_fields", [])
    ]


def test_every_coded_dataset_field_is_a_field_of_the_solr_schema(schema):
    fields = _dataset_fields()
    assert {f["field_name"] for f in fields} >= set(PROJECT_FACET_FIELDS)
    for field in fields:
        name = field["field_name"]
        if name in CORE_FIELDS:
            continue
        resolved = schema.resolve(name)
        assert resolved is not None, name
        pattern, element = resolved
        coded = "choices" in field or "choices_helper" in field
        several = "multiple" in field.get("output_validators", "") or field.get(
            "preset", ""
        ).startswith("multiple_")
        if coded:
            assert pattern != "*", f"coded field {name!r} needs a field in docker/solr/schema.xml"
            assert schema.type_class(element) == "solr.StrField", name
            assert schema.multi_valued(element) is several, f"{name!r}: multiValued={several}"


def test_solrconfig_reads_the_classic_schema_and_boosts_existing_fields(schema):
    config = _dom(SOLR / "solrconfig.xml").documentElement
    factories = [f.getAttribute("class") for f in config.getElementsByTagName("schemaFactory")]
    assert factories == ["ClassicIndexSchemaFactory"]
    handlers = {h.getAttribute("name"): h for h in config.getElementsByTagName("requestHandler")}
    assert "/select" in handlers
    defaults = {
        param.getAttribute("name"): param.firstChild.data
        for param in handlers["/select"].getElementsByTagName("str")
    }
    boost = re.search(r"qf='([^']+)'", defaults["bq"])
    assert boost is not None
    for name in (field.split("^")[0] for field in boost.group(1).split()):
        assert schema.fields[name].getAttribute("type") == "text_exact", name
