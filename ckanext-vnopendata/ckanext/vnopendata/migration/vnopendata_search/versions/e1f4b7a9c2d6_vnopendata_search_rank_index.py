"""vnopendata search index: a RUM index that returns text matches by rank

Revision ID: e1f4b7a9c2d6
Revises: c4e8a1f5b3d9
Create Date: 2026-11-30 00:00:00

A page of free-text results sorted by relevance scored every match with
`ts_rank` on both vectors, each read out of line (~250 ms for 20,000
matches at 100,000 datasets). A RUM index keeps the lexeme positions, so
`ORDER BY vector <=> query LIMIT 20` returns the best rows without reading
any vector. It covers the folded and the exact vector together
(`search_vector || exact_vector`): an exact-diacritic match adds its exact
lexemes to the folded ones, so it still ranks above a folded-only match.

RUM is an extension (Debian: postgresql-15-rum) that only a superuser can
create; `scripts/services.sh` creates it where it is installed. Without it
this step creates nothing and logs a warning: searches keep working through
the GIN index, slower (see search/ranking.py).
"""

from alembic import op

from ckanext.vnopendata.search import ranking

revision = "e1f4b7a9c2d6"
down_revision = "c4e8a1f5b3d9"
branch_labels = None
depends_on = None


def upgrade():
    ranking.create_rank_index(op.get_bind())


def downgrade():
    op.execute(f"DROP INDEX IF EXISTS {ranking.RANK_INDEX}")
