"""`vn_dcat_ap`: the VN DCAT-AP 3 profile (ckanext-dcat, `ckan.rdf.profiles`).

Extends ckanext-dcat's `euro_dcat_ap_3`. Every field of the portal's dataset
schema is written, and read back to the same value, so that one portal of
this kind harvests another without loss:

- titles and descriptions as `@vi` / `@en` literals;
- the sharing class as `dct:accessRights` of the EU access-right table,
  through `sharing/classes.py` (restricted = NON_PUBLIC, inter_agency =
  RESTRICTED: the trap is kept in that one module);
- code-list fields as concepts of the portal's SKOS schemes
  (`/codelist/<list>#<code>`), with EU concepts where DCAT-AP expects them
  (frequency, language, data theme, file type, licence);
- legal bases as `eli:LegalResource` (`dcatap:applicableLegislation`);
- owner and custodian as `foaf:Agent` with the agency e-ID;
- resources as distributions, APIs as `dcat:DataService`.

Graphs from sources that are not this profile's (no `vnod:sharingClass`)
are read by `euro_dcat_ap_3` unchanged.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import unquote

import ckan.model as model
from ckan.common import config
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import catalog_uri, dataset_uri, resource_uri
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from ckanext.vnopendata import codelists
from ckanext.vnopendata.dcat import vocabularies as v
from ckanext.vnopendata.dcat.vocabularies import DCAT, DCATAP, ELI, FOAF, PROV, VCARD, VNOD
from ckanext.vnopendata.sharing import classes

log = logging.getLogger(__name__)

LANGS = ("vi", "en")

# Single-code fields: (field, code list, predicate, extra rdf:type of the concept).
CODE_FIELDS: tuple[tuple[str, str, URIRef, URIRef | None], ...] = (
    ("importance", "importance_levels", VNOD.importance, None),
    ("personal_data", "personal_data_levels", VNOD.personalData, None),
    ("data_layer", "data_layers", VNOD.dataLayer, None),
    ("source_database", "national_databases", VNOD.sourceDatabase, None),
    ("fee", "fees", VNOD.fee, None),
)
# Multi-code fields: (field, code list, predicate); RDF keeps no order, so
# they come back in code-list order.
MULTI_CODE_FIELDS: tuple[tuple[str, str, URIRef], ...] = (
    ("sharing_method", "sharing_methods", VNOD.sharingMethod),
    ("personal_data_categories", "personal_data_categories", VNOD.personalDataCategory),
    ("personal_data_safeguards", "personal_data_safeguards", VNOD.personalDataSafeguard),
)
# Plain text fields of the dataset.
TEXT_FIELDS: tuple[tuple[str, URIRef], ...] = (
    ("identifier", DCT.identifier),
    ("importance_reference", VNOD.importanceReference),
    ("commune_code", VNOD.communeCode),
)
DATE_FIELDS: tuple[tuple[str, URIRef], ...] = (
    ("issued", DCT.issued),
    ("modified", DCT.modified),
    ("next_review_date", VNOD.nextReviewDate),
    ("risk_assessment_date", VNOD.riskAssessmentDate),
)
# Legal documents: field prefix -> predicate.
LEGAL_FIELDS: tuple[tuple[str, URIRef], ...] = (
    ("legal_basis", DCATAP.applicableLegislation),
    ("exploitation_regulation", VNOD.exploitationRegulation),
    ("catalogue_decision", VNOD.catalogueDecision),
)
# The review workflow's own fields (sharing/review.py): who submitted and
# approved, when, why returned, what waits. They describe this portal's
# process, not the data; a harvesting portal runs its own review. Not in
# the feed.
WORKFLOW_FIELDS = frozenset(
    {
        "review_state",
        "review_published_at",
        "review_submitted_by",
        "review_submitted_at",
        "review_decided_by",
        "review_decided_at",
        "review_return_reason",
        "pending_sharing_class",
        "pending_metadata_visible",
    }
)
RESOURCE_CODE_FIELDS: tuple[tuple[str, str, URIRef], ...] = (
    ("platform", "platforms", VNOD.platform),
    ("auth_method", "auth_methods", VNOD.authMethod),
)


# Agencies already read, while a bulk rebuild runs (`organization_cache`).
_ORGANIZATIONS: dict[str, dict[str, Any] | None] | None = None


class organization_cache:
    """Read each agency once for a whole rebuild (an agency changed meanwhile
    is picked up by the next write of its datasets)."""

    def __enter__(self) -> None:
        global _ORGANIZATIONS
        _ORGANIZATIONS = {}

    def __exit__(self, *exc: object) -> None:
        global _ORGANIZATIONS
        _ORGANIZATIONS = None


def _organization(org_id: str | None) -> dict[str, Any] | None:
    """What the feed says about an agency: id, name, titles, e-ID."""
    if not org_id:
        return None
    if _ORGANIZATIONS is not None:
        if org_id not in _ORGANIZATIONS:
            _ORGANIZATIONS[org_id] = _read_organization(org_id)
        return _ORGANIZATIONS[org_id]
    return _read_organization(org_id)


def _read_organization(org_id: str) -> dict[str, Any] | None:
    group = model.Group.get(org_id)
    if group is None:
        return None
    extras = dict(group.extras or {})
    try:
        titles = json.loads(extras.get("title_translated") or "{}")
    except ValueError:
        titles = {}
    return {
        "id": group.id,
        "name": group.name,
        "title": titles or {"vi": group.title},
        "agency_code": extras.get("agency_code"),
    }


def organization_uri(org: dict[str, Any]) -> URIRef:
    return URIRef(f"{v.base_uri()}/organization/{org['id']}")


def _org_by_uri_or_code(uri: Any, code: str | None) -> str | None:
    """The local agency an agent names: by its URI here, else by e-ID."""
    prefix = f"{v.base_uri()}/organization/"
    text = str(uri)
    if text.startswith(prefix):
        group = model.Group.get(text[len(prefix) :])
        if group is not None and group.is_organization:
            return group.id
    if code:
        for group in model.Session.query(model.Group).filter(
            model.Group.is_organization.is_(True), model.Group.state == "active"
        ):
            if (group.extras or {}).get("agency_code") == code:
                return group.id
    return None


class VnDcatApProfile(EuropeanDCATAP3Profile):
    """VN DCAT-AP 3: the portal's schema in DCAT-AP 3 terms, both ways."""

    # Serialising

    def _bind(self) -> None:
        # Prefixes for rdflib's serialisers; once per graph (binding is slow,
        # and the stored pieces are written without rdflib's serialisers).
        if not getattr(self.g, "_vnopendata_bound", False):
            for prefix, namespace in v.PREFIXES.items():
                self.g.bind(prefix, namespace)
            self.g._vnopendata_bound = True

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        self._bind()
        g.add((dataset_ref, RDF.type, DCAT.Dataset))

        self._add_translated(dataset_ref, DCT.title, dataset_dict, "title")
        self._add_translated(dataset_ref, DCT.description, dataset_dict, "notes")
        landing = URIRef(f"{v.base_uri()}/dataset/{dataset_dict['name']}")
        g.add((dataset_ref, DCAT.landingPage, landing))
        g.add((landing, RDF.type, FOAF.Document))

        for tag in dataset_dict.get("tags") or []:
            g.add((dataset_ref, DCAT.keyword, Literal(tag["name"], lang="vi")))
        for key, predicate in TEXT_FIELDS:
            if dataset_dict.get(key):
                g.add((dataset_ref, predicate, Literal(dataset_dict[key])))
        for key, predicate in DATE_FIELDS:
            self._add_date(dataset_ref, predicate, dataset_dict.get(key))

        for code in dataset_dict.get("language") or []:
            uri = v.add_concept(g, "languages", code, DCT.LinguisticSystem)
            g.add((dataset_ref, DCT.language, uri))
            exact, _broader = v.eu_matches("languages", codelists.get("languages").by_code[code])
            if exact is not None:
                g.add((dataset_ref, DCT.language, exact))
                g.add((exact, RDF.type, DCT.LinguisticSystem))

        self._add_agents(dataset_dict, dataset_ref)
        self._add_contact(dataset_dict, dataset_ref)
        self._add_classification(dataset_dict, dataset_ref)
        self._add_coverage(dataset_dict, dataset_ref)
        self._add_licence(dataset_dict, dataset_ref)
        for prefix, predicate in LEGAL_FIELDS:
            self._add_legal(dataset_dict, dataset_ref, prefix, predicate)
        for key, name, predicate in MULTI_CODE_FIELDS:
            for code in dataset_dict.get(key) or []:
                g.add((dataset_ref, predicate, v.add_concept(g, name, code)))

        for resource_dict in dataset_dict.get("resources") or []:
            self._add_distribution(dataset_dict, dataset_ref, resource_dict)

    def _add_translated(
        self, subject: Any, predicate: URIRef, data: dict[str, Any], key: str
    ) -> None:
        translated = data.get(f"{key}_translated") or {}
        if not isinstance(translated, dict) or not any(translated.values()):
            translated = {"vi": data.get(key) or ""}
        for lang in LANGS:
            if translated.get(lang):
                self.g.add((subject, predicate, Literal(translated[lang], lang=lang)))

    def _add_date(self, subject: Any, predicate: URIRef, value: Any) -> None:
        if value:
            self._add_date_triple(subject, predicate, value)

    def _add_agent(self, org: dict[str, Any]) -> URIRef:
        g = self.g
        uri = organization_uri(org)
        g.add((uri, RDF.type, FOAF.Agent))
        g.add((uri, RDF.type, FOAF.Organization))
        for lang in LANGS:
            if org["title"].get(lang):
                g.add((uri, FOAF.name, Literal(org["title"][lang], lang=lang)))
        if org.get("agency_code"):
            g.add((uri, DCT.identifier, Literal(org["agency_code"])))
        return uri

    def _add_agents(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        owner = _organization(dataset_dict.get("owner_org"))
        if owner is not None:
            g.add((dataset_ref, DCT.publisher, self._add_agent(owner)))
        custodian = _organization(dataset_dict.get("custodian_org"))
        if custodian is not None:
            attribution = BNode()
            role = URIRef(v.CUSTODIAN_ROLE)
            g.add((dataset_ref, PROV.qualifiedAttribution, attribution))
            g.add((attribution, RDF.type, PROV.Attribution))
            g.add((attribution, PROV.agent, self._add_agent(custodian)))
            g.add((attribution, DCAT.hadRole, role))
            g.add((role, RDF.type, DCAT.Role))

    def _add_contact(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        if not any(
            dataset_dict.get(f"contact_{k}") for k in ("name", "email", "phone", "position")
        ):
            return
        g = self.g
        contact = BNode()
        g.add((dataset_ref, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, RDF.type, VCARD.Individual))
        if dataset_dict.get("contact_name"):
            g.add((contact, VCARD.fn, Literal(dataset_dict["contact_name"])))
        if dataset_dict.get("contact_position"):
            g.add((contact, VCARD.title, Literal(dataset_dict["contact_position"])))
        if dataset_dict.get("contact_email"):
            g.add((contact, VCARD.hasEmail, URIRef("mailto:" + dataset_dict["contact_email"])))
        if dataset_dict.get("contact_phone"):
            g.add((contact, VCARD.hasTelephone, Literal(dataset_dict["contact_phone"])))

    def _add_classification(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        sharing_class = classes.get(dataset_dict.get("sharing_class"))
        if sharing_class is not None:
            rights = URIRef(sharing_class.access_right_iri)
            g.add((dataset_ref, DCT.accessRights, rights))
            g.add((rights, RDF.type, DCT.RightsStatement))
            concept = v.add_concept(g, codelists.SHARING_CLASSES, sharing_class.key)
            g.add((dataset_ref, VNOD.sharingClass, concept))
        if "metadata_visible" in dataset_dict:
            visible = review_as_bool(dataset_dict.get("metadata_visible"))
            g.add((dataset_ref, VNOD.metadataVisible, Literal(visible)))
        if "no_state_secret" in dataset_dict:
            declared = review_as_bool(dataset_dict.get("no_state_secret"))
            g.add((dataset_ref, VNOD.noStateSecret, Literal(declared)))
        for key, name, predicate, rdf_type in CODE_FIELDS:
            code = dataset_dict.get(key)
            if code:
                types = (rdf_type,) if rdf_type is not None else ()
                g.add((dataset_ref, predicate, v.add_concept(g, name, code, *types)))
        sector = dataset_dict.get("sector")
        if sector:
            g.add((dataset_ref, DCAT.theme, v.add_concept(g, "sectors", sector)))
            item = codelists.get("sectors").by_code.get(sector)
            if item is not None and item.extra.get("eu_theme"):
                g.add((dataset_ref, DCAT.theme, v.add_eu_theme(g, item.extra["eu_theme"])))
        frequency = dataset_dict.get("frequency")
        if frequency:
            item = codelists.get("update_frequencies").by_code.get(frequency)
            uri = (
                URIRef(item.extra["iri"])
                if item
                else v.concept_uri("update_frequencies", frequency)
            )
            g.add((dataset_ref, DCT.accrualPeriodicity, uri))
            g.add((uri, RDF.type, DCT.Frequency))

    def _add_coverage(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        g = self.g
        for code in dataset_dict.get("provinces") or []:
            g.add((dataset_ref, DCT.spatial, v.add_concept(g, "provinces", code, DCT.Location)))
        start, end = dataset_dict.get("temporal_start"), dataset_dict.get("temporal_end")
        if start or end:
            period = BNode()
            g.add((dataset_ref, DCT.temporal, period))
            g.add((period, RDF.type, DCT.PeriodOfTime))
            self._add_date(period, DCAT.startDate, start)
            self._add_date(period, DCAT.endDate, end)

    def _add_licence(self, dataset_dict: dict[str, Any], dataset_ref: URIRef) -> None:
        code = dataset_dict.get("license_id")
        if not code:
            return
        g = self.g
        uri = licence_uri(code)
        g.add((dataset_ref, DCT.license, uri))
        g.add((uri, RDF.type, DCT.LicenseDocument))
        g.add((uri, SKOS.notation, Literal(code)))

    def _add_legal(
        self, dataset_dict: dict[str, Any], dataset_ref: URIRef, prefix: str, predicate: URIRef
    ) -> None:
        number = dataset_dict.get(f"{prefix}_number")
        url = dataset_dict.get(f"{prefix}_url")
        article = dataset_dict.get(f"{prefix}_article")
        date = dataset_dict.get(f"{prefix}_date")
        if not (number or url or article or date):
            return
        g = self.g
        document = BNode()
        g.add((dataset_ref, predicate, document))
        g.add((document, RDF.type, ELI.LegalResource))
        if number:
            g.add((document, ELI.id_local, Literal(number)))
        if url:
            g.add((document, ELI.is_realized_by, URIRef(url)))
        if article:
            g.add((document, VNOD.article, Literal(article, lang="vi")))
        if date:
            self._add_date(document, ELI.date_document, date)

    def _add_distribution(
        self, dataset_dict: dict[str, Any], dataset_ref: URIRef, resource_dict: dict[str, Any]
    ) -> None:
        g = self.g
        resource_dict = dict(resource_dict, package_id=dataset_dict.get("id"))
        distribution = URIRef(resource_uri(resource_dict))
        g.add((dataset_ref, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        if resource_dict.get("name"):
            g.add((distribution, DCT.title, Literal(resource_dict["name"], lang="vi")))
        if resource_dict.get("description"):
            g.add((distribution, DCT.description, Literal(resource_dict["description"], lang="vi")))
        g.add((distribution, VNOD.position, Literal(int(resource_dict.get("position") or 0))))
        if resource_dict.get("url"):
            access = URIRef(resource_dict["url"])
            g.add((distribution, DCAT.accessURL, access))
            g.add((access, RDF.type, RDFS.Resource))
        if resource_dict.get("download_url"):
            download = URIRef(resource_dict["download_url"])
            g.add((distribution, DCAT.downloadURL, download))
            g.add((download, RDF.type, RDFS.Resource))
        self._add_format(distribution, resource_dict.get("format"))
        for key, name, predicate in RESOURCE_CODE_FIELDS:
            if resource_dict.get(key):
                g.add((distribution, predicate, v.add_concept(g, name, resource_dict[key])))
        if resource_dict.get("service_id"):
            g.add((distribution, VNOD.serviceId, Literal(resource_dict["service_id"])))
        if resource_dict.get("api_spec_url") and not resource_dict.get("api_endpoint"):
            g.add((distribution, VNOD.apiSpecification, URIRef(resource_dict["api_spec_url"])))
        if resource_dict.get("api_endpoint"):
            service = URIRef(f"{distribution}/service")
            g.add((distribution, DCAT.accessService, service))
            g.add((service, RDF.type, DCAT.DataService))
            title = resource_dict.get("name") or resource_dict["api_endpoint"]
            g.add((service, DCT.title, Literal(title, lang="vi")))
            endpoint = URIRef(resource_dict["api_endpoint"])
            g.add((service, DCAT.endpointURL, endpoint))
            g.add((endpoint, RDF.type, RDFS.Resource))
            if resource_dict.get("api_spec_url"):
                spec = URIRef(resource_dict["api_spec_url"])
                g.add((service, DCAT.endpointDescription, spec))
                g.add((spec, RDF.type, RDFS.Resource))
            g.add((service, DCAT.servesDataset, dataset_ref))
            if resource_dict.get("platform"):
                g.add(
                    (service, VNOD.platform, v.concept_uri("platforms", resource_dict["platform"]))
                )

    def _add_format(self, distribution: URIRef, fmt: str | None) -> None:
        if not fmt:
            return
        g = self.g
        known = v.FILE_TYPES.get(fmt)
        if known is None:
            # Not in the EU file-type table (e.g. API): a described format.
            node = BNode()
            g.add((distribution, DCT["format"], node))
            g.add((node, RDF.type, DCT.MediaTypeOrExtent))
            g.add((node, RDFS.label, Literal(fmt)))
            return
        file_type, media_type = known
        uri = URIRef(v.EU_FILE_TYPE + file_type)
        g.add((distribution, DCT["format"], uri))
        g.add((uri, RDF.type, DCT.MediaTypeOrExtent))
        if media_type:
            media = URIRef(v.IANA + media_type)
            g.add((distribution, DCAT.mediaType, media))
            g.add((media, RDF.type, DCT.MediaType))

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: URIRef) -> None:
        g = self.g
        self._bind()
        catalog_dict = catalog_dict or {}
        g.add((catalog_ref, RDF.type, DCAT.Catalog))
        title = catalog_dict.get("title") or config.get("ckan.site_title") or "CKAN"
        description = (
            catalog_dict.get("description") or config.get("ckan.site_description") or title
        )
        g.add((catalog_ref, DCT.title, Literal(title, lang="vi")))
        g.add((catalog_ref, DCT.description, Literal(description, lang="vi")))
        homepage = URIRef(config.get("ckan.site_url") or catalog_uri())
        g.add((catalog_ref, FOAF.homepage, homepage))
        g.add((homepage, RDF.type, FOAF.Document))
        publisher = URIRef(f"{catalog_uri().rstrip('/')}#publisher")
        g.add((catalog_ref, DCT.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        name = config.get("ckanext.vnopendata.dcat.publisher_name") or title
        g.add((publisher, FOAF.name, Literal(name, lang="vi")))
        language = URIRef(v.EU_LANGUAGE + "VIE")
        g.add((catalog_ref, DCT.language, language))
        g.add((language, RDF.type, DCT.LinguisticSystem))
        taxonomy = v.scheme_uri("sectors")
        g.add((catalog_ref, DCAT.themeTaxonomy, taxonomy))
        g.add((taxonomy, RDF.type, SKOS.ConceptScheme))
        for lang, text in codelists.get("sectors").title.items():
            g.add((taxonomy, DCT.title, Literal(text, lang=lang)))
        if catalog_dict.get("modified"):
            self._add_date(catalog_ref, DCT.modified, catalog_dict["modified"])

    # Parsing

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        if (dataset_ref, VNOD.sharingClass, None) not in self.g:
            return super().parse_dataset(dataset_dict, dataset_ref)
        g = self.g
        for key in ("title", "notes"):
            predicate = DCT.title if key == "title" else DCT.description
            translated = self._translated(dataset_ref, predicate)
            dataset_dict[f"{key}_translated"] = translated
            dataset_dict[key] = translated.get("vi") or next(iter(translated.values()), "")
        landing = self._object(dataset_ref, DCAT.landingPage)
        if landing is not None and "/dataset/" in str(landing):
            dataset_dict["name"] = unquote(str(landing).rsplit("/dataset/", 1)[1])
        dataset_dict["tags"] = [
            {"name": str(o)} for o in sorted(g.objects(dataset_ref, DCAT.keyword), key=str)
        ]
        for key, predicate in TEXT_FIELDS + DATE_FIELDS:
            value = self._object_value(dataset_ref, predicate)
            if value:
                dataset_dict[key] = value
        languages = [
            code
            for o in g.objects(dataset_ref, DCT.language)
            if (code := v.code_of("languages", o)) is not None
        ]
        if languages:
            dataset_dict["language"] = _ordered("languages", languages)

        publisher = self._object(dataset_ref, DCT.publisher)
        if publisher is not None:
            dataset_dict["owner_org"] = _org_by_uri_or_code(
                publisher, self._object_value(publisher, DCT.identifier)
            )
        for attribution in g.objects(dataset_ref, PROV.qualifiedAttribution):
            if (attribution, DCAT.hadRole, URIRef(v.CUSTODIAN_ROLE)) in g:
                agent = self._object(attribution, PROV.agent)
                if agent is not None:
                    dataset_dict["custodian_org"] = _org_by_uri_or_code(
                        agent, self._object_value(agent, DCT.identifier)
                    )
        contact = self._object(dataset_ref, DCAT.contactPoint)
        if contact is not None:
            for key, predicate in (
                ("contact_name", VCARD.fn),
                ("contact_position", VCARD.title),
                ("contact_phone", VCARD.hasTelephone),
            ):
                value = self._object_value(contact, predicate)
                if value:
                    dataset_dict[key] = value
            email = self._object_value(contact, VCARD.hasEmail)
            if email:
                dataset_dict["contact_email"] = email.removeprefix("mailto:")

        concept = self._object(dataset_ref, VNOD.sharingClass)
        dataset_dict["sharing_class"] = v.code_of(codelists.SHARING_CLASSES, concept)
        rights = self._object(dataset_ref, DCT.accessRights)
        by_right = {c.access_right_iri: c.key for c in classes.SHARING_CLASSES}
        if rights is not None and str(rights) in by_right:
            # The access right decides when the two disagree: it is what
            # every DCAT-AP harvester reads.
            dataset_dict["sharing_class"] = by_right[str(rights)]
        visible = self._object(dataset_ref, VNOD.metadataVisible)
        if visible is not None:
            dataset_dict["metadata_visible"] = review_as_bool(str(visible))
        declared = self._object(dataset_ref, VNOD.noStateSecret)
        if declared is not None:
            dataset_dict["no_state_secret"] = review_as_bool(str(declared))
        for key, name, predicate, _type in CODE_FIELDS:
            code = v.code_of(name, self._object(dataset_ref, predicate))
            if code is not None:
                dataset_dict[key] = code
        for theme in g.objects(dataset_ref, DCAT.theme):
            code = v.code_of("sectors", theme)
            if code is not None:
                dataset_dict["sector"] = code
        frequency = self._object(dataset_ref, DCT.accrualPeriodicity)
        if frequency is not None:
            by_iri = {i.extra.get("iri"): i.code for i in codelists.get("update_frequencies").items}
            code = by_iri.get(str(frequency)) or v.code_of("update_frequencies", frequency)
            if code:
                dataset_dict["frequency"] = code
        provinces = [
            code
            for o in g.objects(dataset_ref, DCT.spatial)
            if (code := v.code_of("provinces", o)) is not None
        ]
        dataset_dict["provinces"] = _ordered("provinces", provinces)
        period = self._object(dataset_ref, DCT.temporal)
        if period is not None:
            for key, predicate in (
                ("temporal_start", DCAT.startDate),
                ("temporal_end", DCAT.endDate),
            ):
                value = self._object_value(period, predicate)
                if value:
                    dataset_dict[key] = value
        licence = self._object(dataset_ref, DCT.license)
        if licence is not None:
            dataset_dict["license_id"] = self._object_value(licence, SKOS.notation) or licence_code(
                licence
            )
        for prefix, predicate in LEGAL_FIELDS:
            document = self._object(dataset_ref, predicate)
            if document is None:
                continue
            for suffix, field_predicate in (
                ("number", ELI.id_local),
                ("url", ELI.is_realized_by),
                ("article", VNOD.article),
                ("date", ELI.date_document),
            ):
                value = self._object_value(document, field_predicate)
                if value:
                    dataset_dict[f"{prefix}_{suffix}"] = value
        for key, name, predicate in MULTI_CODE_FIELDS:
            codes = [
                code
                for o in g.objects(dataset_ref, predicate)
                if (code := v.code_of(name, o)) is not None
            ]
            if codes:
                dataset_dict[key] = _ordered(name, codes)

        resources = [
            self._parse_distribution(distribution)
            for distribution in g.objects(dataset_ref, DCAT.distribution)
        ]
        resources.sort(key=lambda r: r.pop("_position"))
        dataset_dict["resources"] = resources
        dataset_dict.setdefault("extras", [])
        dataset_dict["extras"].append({"key": "uri", "value": str(dataset_ref)})
        return dataset_dict

    def _translated(self, subject: Any, predicate: URIRef) -> dict[str, str]:
        translated: dict[str, str] = {}
        for literal in self.g.objects(subject, predicate):
            lang = getattr(literal, "language", None) or "vi"
            translated[lang] = str(literal)
        return translated

    def _parse_distribution(self, distribution: Any) -> dict[str, Any]:
        resource: dict[str, Any] = {"_position": self._object_int(distribution, VNOD.position) or 0}
        for key, predicate in (
            ("name", DCT.title),
            ("description", DCT.description),
            ("url", DCAT.accessURL),
            ("download_url", DCAT.downloadURL),
            ("service_id", VNOD.serviceId),
            ("api_spec_url", VNOD.apiSpecification),
        ):
            value = self._object_value(distribution, predicate)
            if value:
                resource[key] = value
        fmt = self._object(distribution, DCT["format"])
        if fmt is not None:
            resource["format"] = v.FORMAT_BY_FILE_TYPE.get(str(fmt)) or self._object_value(
                fmt, RDFS.label
            )
        for key, name, predicate in RESOURCE_CODE_FIELDS:
            code = v.code_of(name, self._object(distribution, predicate))
            if code is not None:
                resource[key] = code
        service = self._object(distribution, DCAT.accessService)
        if service is not None:
            endpoint = self._object_value(service, DCAT.endpointURL)
            if endpoint:
                resource["api_endpoint"] = endpoint
            spec = self._object_value(service, DCAT.endpointDescription)
            if spec:
                resource["api_spec_url"] = spec
        # The resource id is the last segment of the distribution URI.
        if "/resource/" in str(distribution):
            resource["uri"] = str(distribution)
        return resource

    def _object_int(self, subject: Any, predicate: URIRef) -> int | None:
        value = self._object(subject, predicate)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None


def review_as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return bool(value)


def licence_uri(code: str) -> URIRef:
    """The IRI of a licence: the EU authority's, else its own, else the code list's."""
    if code in v.EU_LICENCES:
        return URIRef(v.EU_LICENCE + v.EU_LICENCES[code])
    item = codelists.get("licences").by_code.get(code)
    if item is not None and item.extra.get("url"):
        return URIRef(item.extra["url"])
    return v.concept_uri("licences", code)


def licence_code(uri: Any) -> str | None:
    for item in codelists.get("licences").items:
        if str(licence_uri(item.code)) == str(uri):
            return item.code
    return v.code_of("licences", uri)


def _ordered(name: str, codes: list[str]) -> list[str]:
    """Codes in the order of their list: RDF has no order, the dict has one."""
    order = {code: position for position, code in enumerate(codelists.get(name).codes)}
    return sorted(set(codes), key=lambda code: order.get(code, len(order)))


__all__ = ["VnDcatApProfile", "dataset_uri", "XSD"]
