"""``newswatch users``: who may log in to acknowledge alerts and run crawls (passwords stored as argon2 hashes)."""

from __future__ import annotations

import click

from newswatch.cli.common import CliState, pass_state


@click.group("users")
def command() -> None:
    """Users of the web UI (reading needs none on the office network; changes need a login)."""


@command.command("add")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The password (prompted for when not given).")
@click.option("--print-only", is_flag=True,
              help="Do not store the user; only print the NEWSWATCH_USERS entry for the environment.")
@pass_state
def add(state: CliState, name: str, password: str, print_only: bool) -> None:
    """Add (or change the password of) user NAME, and print its NEWSWATCH_USERS entry."""
    from newswatch.state.db import open_state
    from newswatch.web.auth import add_user, hash_password

    name = name.strip()
    if not name or ":" in name or "," in name:
        raise click.BadParameter("a user name must be non-empty and contain no ':' or ','", param_hint="NAME")
    if len(password) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--password")
    if print_only:
        hashed = hash_password(password)
    else:
        hashed = add_user(open_state(state.settings.state_url), name, password)
        click.echo(f"User {name!r} stored in {state.settings.state_url}.", err=True)
    click.echo(f"{name}:{hashed}")


@command.command("list")
@pass_state
def list_users_command(state: CliState) -> None:
    """Everyone allowed to log in, and where the user is defined."""
    from newswatch.state.db import open_state
    from newswatch.web.auth import list_users

    found = list_users(open_state(state.require_data().state_url), state.settings)
    if not found:
        click.echo("No users. Add one with: newswatch users add NAME")
    for name, where in sorted(found.items()):
        click.echo(f"{name}\t{'NEWSWATCH_USERS' if where == 'config' else 'state database'}")


@command.command("remove")
@click.argument("name")
@pass_state
def remove(state: CliState, name: str) -> None:
    """Remove a user stored in the state database (and end their sessions)."""
    from newswatch.state.db import open_state
    from newswatch.web.auth import remove_user

    if not remove_user(open_state(state.settings.state_url), name):
        raise click.ClickException(f"no user {name!r} in the state database"
                                   + (" (it comes from NEWSWATCH_USERS)" if name in state.settings.users else ""))
    click.echo(f"Removed {name!r}.")


@command.command("unlock")
@click.argument("name", required=False)
@click.option("--address", help="Also (or only) clear the failed logins of this client address.")
@pass_state
def unlock(state: CliState, name: str | None, address: str | None) -> None:
    """Let a user locked out by failed logins (or an address) try again at once."""
    from newswatch.state.db import open_state
    from newswatch.web.throttle import LoginThrottle

    if not name and not address:
        raise click.UsageError("give a user NAME, --address IP, or both")
    cleared = LoginThrottle(open_state(state.settings.state_url), state.settings.service.login).unlock(name, address)
    what = " and ".join(x for x in (f"user {name!r}" if name else "", f"address {address}" if address else "") if x)
    click.echo(f"Cleared the failed logins of {what}." if cleared else f"No failed logins recorded for {what}.")
