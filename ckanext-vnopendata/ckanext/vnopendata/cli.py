"""`ckan vnopendata ...` commands."""

from __future__ import annotations

import secrets
from pathlib import Path

import ckan.model as model
import ckan.plugins.toolkit as tk
import click
import sqlalchemy as sa

from ckanext.vnopendata.demo import demo_command


@click.group(short_help="ckanext-vnopendata commands")
def vnopendata() -> None:
    """Commands of the Vietnamese open-data portal."""


@vnopendata.command("create-admin")
@click.option("--name", default="admin", show_default=True)
@click.option("--email", default="admin@vnopendata.local", show_default=True)
@click.option(
    "--credentials-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the new login here (mode 0600).",
)
def create_admin(name: str, email: str, credentials_file: Path | None) -> None:
    """Create the portal's first sysadmin once and print its login.

    A second run changes nothing: the password is never printed again.
    """
    user = model.User.get(name)
    if user is not None:
        if not user.sysadmin:
            user.sysadmin = True
            model.repo.commit()
        click.echo(f"Sysadmin '{name}' already exists.")
        return

    password = secrets.token_urlsafe(12)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    tk.get_action("user_create")(
        {"ignore_auth": True, "user": site_user["name"]},
        {"name": name, "email": email, "password": password, "fullname": "Quản trị hệ thống"},
    )
    user = model.User.get(name)
    assert user is not None
    user.sysadmin = True
    model.repo.commit()

    login = f"user: {name}\npassword: {password}\n"
    if credentials_file is not None:
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        credentials_file.touch(mode=0o600)
        credentials_file.write_text(login, "utf-8")
    click.secho("Sysadmin created. Log in with:", fg="green")
    click.echo(login, nl=False)


vnopendata.add_command(demo_command)


@vnopendata.group()
def audit() -> None:
    """The append-only audit log of sharing."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the whole audit log.

    Exit status 0 when every entry is there and unaltered; otherwise 1,
    naming the first entry that breaks the chain.
    """
    from ckanext.vnopendata.sharing import audit as audit_log

    count, broken = audit_log.verify()
    if broken is None:
        click.secho(f"Audit log intact: {count} entries, chain whole.", fg="green")
        return
    click.secho(f"Audit log broken at entry {broken.seq}: {broken.problem}", fg="red", err=True)
    raise SystemExit(1)


@vnopendata.group()
def access() -> None:
    """Access requests and grants."""


@access.command("notify")
@click.pass_context
def access_notify(ctx: click.Context) -> None:
    """Send the daily notices (run once a day from cron): overdue requests to
    their agency's admins, once each; expiry warnings to grant holders."""
    from ckanext.vnopendata.sharing import notices

    # The mails are written in Vietnamese and English: translation needs a
    # request context, as CKAN's own commands that render text use.
    with ctx.meta["flask_app"].test_request_context():
        overdue = notices.send_overdue_notices()
        warned = notices.send_expiry_warnings()
    click.echo(f"Overdue requests notified: {overdue}; expiry warnings sent: {warned}.")


@vnopendata.group("mail")
def mail_group() -> None:
    """Review and access-request e-mails."""


@mail_group.command("release")
def mail_release() -> None:
    """Queue the mails kept while the job queue (Redis) was down. The web
    server does it by itself about every 30 seconds."""
    from ckanext.vnopendata.model.mail import mail_outbox_table
    from ckanext.vnopendata.sharing import mail

    released = 0
    while True:
        batch = mail.release_kept()
        released += batch
        if batch < mail.RELEASE_BATCH:
            break
    with model.meta.engine.connect() as connection:
        total = connection.execute(
            sa.select(sa.func.count()).select_from(mail_outbox_table)
        ).scalar_one()
    click.echo(f"Mails queued: {released}; still kept: {total}.")
    if total:
        raise SystemExit(1)


@vnopendata.group("dcat")
def dcat() -> None:
    """DCAT feed: dump the catalogue, rebuild the stored pieces."""


@dcat.command("dump")
@click.option(
    "--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld"]), default="ttl", show_default=True
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@click.option("--user", "user_name", help="Dump what this user sees (default: anonymous).")
def dcat_dump(fmt: str, output: Path | None, user_name: str | None) -> None:
    """Write the whole visible catalogue, streamed from the stored pieces."""
    import sys

    from ckanext.vnopendata.dcat import feed

    caller = feed.caller_for(user_name)
    stream = output.open("w", encoding="utf-8") if output else sys.stdout
    bar = None
    if output is not None and sys.stderr.isatty():
        bar = click.progressbar(length=1, label="DCAT", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = max(total, 1)
            bar.update(done)

    try:
        for chunk in feed.dump(caller, fmt, progress=progress):
            stream.write(chunk)
    finally:
        if bar is not None:
            bar.render_finish()
        if output is not None:
            stream.close()


@dcat.command("rebuild")
@click.argument("dataset_ids", nargs=-1)
def dcat_rebuild(dataset_ids: tuple[str, ...]) -> None:
    """Rebuild the stored DCAT pieces (all datasets, or the ones given)."""
    import sys

    from ckanext.vnopendata.dcat import pieces

    done = pieces.rebuild(list(dataset_ids) or None, quiet=not sys.stdout.isatty())
    click.echo(f"Rebuilt the DCAT pieces of {done} datasets.")


def get_commands() -> list[click.Command]:
    return [vnopendata]
