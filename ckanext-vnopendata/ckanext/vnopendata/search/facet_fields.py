"""The one list of the portal's facet fields.

Used by the dataset page's facet declaration (`dataset_facets`), the facet
counter (`facet_counts`: these are counted from the generated `facet_keys`
column), the benchmark and the SQL function `vnopendata_facet_keys` of the
migration `vnopendata_search_facet_keys` (a test holds the function to this
list). A field named here but missing from the function would count
nothing, so adding one means a migration that replaces the function.
"""

from __future__ import annotations

# Facets the dataset search page shows, in that order.
PAGE_FACETS = ("sharing_class", "organization", "sector", "provinces", "res_format", "license_id")
# CKAN's own default facets the page does not show but API clients ask for.
CKAN_FACETS = ("groups", "tags")
# Everything `facet_keys` holds: these are counted in one parallel GROUP BY.
KEYED_FIELDS = frozenset(PAGE_FACETS + CKAN_FACETS)
# The keyed fields stored in columns of the index row; the others are read
# from the document (`exact_doc`, or `doc` for long values).
KEYED_COLUMNS = ("organization", "license_id", "groups", "tags", "res_format")
KEYED_DOCUMENT_FIELDS = tuple(sorted(KEYED_FIELDS - set(KEYED_COLUMNS)))
