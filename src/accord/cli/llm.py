"""``accord llm``: a project's LLM endpoint, prompt templates, jobs and calls on the server at
ACCORD_URL (docs/llm.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.failure import fail, reported
from accord.cli.remote import Json, Token, Url, client, print_json

llm_app = typer.Typer(
    help="LLM assistance: endpoint, prompt templates, judge and candidates (docs/llm.md).",
    no_args_is_help=True,
)
USES = ("candidates", "judge")


@llm_app.command("show")
def show(project: int, as_json: Json = False, url: Url = None, token: Token = None) -> None:
    """The project's endpoint (never its key) and its token use."""
    with reported():
        found = client(url, token).llm(project)
    if found is None:
        fail(f"project {project} has no LLM endpoint; set one with `accord llm set`")
    if as_json:
        print_json(found)
        return
    budget = found["token_budget"]
    key = f"key {found['key_hint']}" if found["has_key"] else "no key"
    typer.echo(f"{found['model']} at {found['base_url']} ({key})")
    typer.echo(
        f"tokens used: {found['tokens_used']} of {budget if budget is not None else 'no cap'}"
    )


@llm_app.command("set")
def set_endpoint(
    project: int,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="e.g. https://api.openai.com/v1")
    ] = None,
    model: Annotated[str | None, typer.Option("--model")] = None,
    instance: Annotated[
        bool,
        typer.Option(
            "--instance",
            help="Use the endpoint this server offers (ACCORD_LLM_BASE_URL) instead of "
            "--base-url, --model and a key",
        ),
    ] = False,
    key_env: Annotated[
        str | None,
        typer.Option(
            "--key-env",
            help="Read the API key from this environment variable (never from the command "
            "line, where other users could see it)",
        ),
    ] = None,
    no_key: Annotated[bool, typer.Option("--no-key", help="Remove the stored key")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per call")] = 60.0,
    max_tokens: Annotated[int, typer.Option("--max-tokens")] = 1024,
    temperature: Annotated[float, typer.Option("--temperature")] = 0.7,
    budget: Annotated[int | None, typer.Option("--budget", help="Token cap (none: no cap)")] = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Set the project's OpenAI-compatible endpoint (managers)."""
    import os

    if instance and (base_url or model or key_env or no_key):
        fail("--instance: leave out --base-url, --model, --key-env and --no-key")
    if not instance and not (base_url and model):
        fail("give --base-url and --model, or --instance for the server's endpoint")
    key: str | None = None
    if key_env:
        key = os.environ.get(key_env)
        if key is None:
            fail(f"--key-env: the environment variable {key_env} is not set")
    if no_key:
        key = ""
    with reported():
        done = client(url, token).set_llm(
            project, base_url, model, key, use_instance=instance, timeout_seconds=timeout,
            max_tokens=max_tokens, temperature=temperature, token_budget=budget,
        )  # fmt: skip
    whose = "the server's endpoint: " if done.get("uses_instance") else ""
    typer.echo(
        f"project {project} uses {whose}{done['model']} "
        f"({'with' if done['has_key'] else 'no'} key)"
    )


@llm_app.command("template")
def save_template(
    project: int,
    name: str,
    prompt_file: Annotated[Path, typer.Argument(help="The prompt template; - reads stdin")],
    system_file: Annotated[Path | None, typer.Option("--system", help="A system template")] = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """Save a new version of a prompt template ({{field}} placeholders only)."""
    prompt = sys.stdin.read() if str(prompt_file) == "-" else prompt_file.read_text("utf-8")
    system = system_file.read_text("utf-8") if system_file else ""
    with reported():
        saved = client(url, token).save_llm_template(project, name, prompt, system)
    typer.echo(f"template {saved['name']} version {saved['version']} saved")


@llm_app.command("templates")
def templates(
    project: int,
    name: Annotated[str | None, typer.Argument(help="Every version of this one")] = None,
    as_json: Json = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """The latest version of each template, or every version of one."""
    with reported():
        rows = client(url, token).llm_templates(project, name)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        first = " ".join(row["prompt"].split())[:80]
        typer.echo(f"{row['name']}  v{row['version']}  {row['created_at']}  {first}")


@llm_app.command("run")
def run(
    project: int,
    use: Annotated[str, typer.Argument(help="candidates or judge")],
    template: Annotated[str, typer.Option("--template")],
    field: Annotated[
        str | None, typer.Option("--field", help="candidates: text_list field")
    ] = None,
    n: Annotated[int, typer.Option("--n", help="candidates per task")] = 2,
    question: Annotated[str | None, typer.Option("--question", help="judge: question")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Follow the job until it ends")] = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """Run candidates or the judge over the project as a job; prints the job's id."""
    if use not in USES:
        fail(f"unknown use {use!r}; use one of: {', '.join(USES)}")
    from accord.cli.jobs import describe, follow

    api = client(url, token)
    with reported():
        job = api.start_llm_job(
            project, use, template, field=field, n=n, question=question, overwrite=overwrite
        )
        if wait:
            job = follow(api, job, f"job {job['id']}")
    typer.echo(describe(job) if wait else str(job["id"]))
    if wait and job["state"] != "succeeded":
        raise typer.Exit(1)


@llm_app.command("judge")
def judge(
    task: int,
    template: Annotated[str, typer.Option("--template")],
    question: Annotated[str, typer.Option("--question")],
    url: Url = None,
    token: Token = None,
) -> None:
    """Ask the judge about one task (stored as a prediction if the answer fits)."""
    with reported():
        out = client(url, token).llm_judge(task, template, question)
    print_json(out)
    if out["status"] != "ok":
        raise typer.Exit(1)


@llm_app.command("suggest")
def suggest(
    task: int,
    text: Annotated[str, typer.Argument(help="The text to rewrite; - reads stdin")],
    template: Annotated[str, typer.Option("--template")] = "rewrite",
    url: Url = None,
    token: Token = None,
) -> None:
    """A rewrite suggestion, printed as it streams; nothing is saved."""
    source = sys.stdin.read() if text == "-" else text
    with reported():
        for event, data in client(url, token).llm_suggest(task, source, template):
            if event == "delta":
                typer.echo(data["text"], nl=False)
            elif event == "error":
                typer.echo("")
                fail(data["message"])
    typer.echo("")


@llm_app.command("calls")
def calls(
    project: int,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    as_json: Json = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """The call log, newest first: model, template version, tokens, latency, status."""
    rows = []
    with reported():
        for row in client(url, token).llm_calls(project):
            rows.append(row)
            if len(rows) >= limit:
                break
    if as_json:
        print_json(rows)
        return
    for r in rows:
        took = f"{r['latency_ms']:.0f} ms" if r["latency_ms"] is not None else "-"
        typer.echo(
            f"#{r['id']}  {r['use']:<10}  {r['status']:<8}  task {r['task_id']}  "
            f"{r['template_name']} v{r['template_version']}  "
            f"{r['prompt_tokens']}+{r['completion_tokens']} tokens  {took}  {r['error'][:80]}"
        )


@llm_app.command("scores")
def scores(
    project: int,
    question: Annotated[str | None, typer.Option("--question")] = None,
    as_json: Json = False,
    url: Url = None,
    token: Token = None,
) -> None:
    """The LLM judge scored like an annotator: agreement with people, gold accuracy."""
    with reported():
        rows = client(url, token).llm_judge_scores(project, question)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        among = row["people_agreement"]["agreement"]
        name = row["question"] + (f" ({row['criterion']})" if row.get("criterion") else "")
        typer.echo(f"{name}: people agree with each other {_share(among)}")
        for judge in row["judges"]:
            typer.echo(
                f"  {judge['model_version']}: agrees with people {_share(judge['agreement'])} "
                f"({judge['tasks_with_people']} tasks), gold accuracy "
                f"{_share(judge['gold_accuracy'])} ({judge['gold_tasks']} gold tasks)"
            )


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
