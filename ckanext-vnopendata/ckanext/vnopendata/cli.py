"""`ckan vnopendata ...` commands."""

from __future__ import annotations

import click


@click.group(short_help="ckanext-vnopendata commands")
def vnopendata() -> None:
    """Commands of the Vietnamese open-data portal."""


def get_commands() -> list[click.Command]:
    return [vnopendata]
