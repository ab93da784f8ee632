#!/usr/bin/env python3
"""Runs a real agent flow against Orgata's MCP server with the official MCP Python SDK.

As an agent member (editor): list tools, read resources, start an instance of a playbook whose
first step is an `agent` step, find that step's task in tasks://assigned, complete it, check the
instance moved on, save a changed playbook on a branch and open a change proposal; then a tool
error and a prompt. Exit status 0 only when every check holds.

  python mcp_flow.py --url http://127.0.0.1:8080/mcp --token TOKEN --playbook ID [--mode auto|legacy]
  python mcp_flow.py --playbook ID --stdio -- env ORGATA_TOKEN=… orgata mcp --stdio
"""
import argparse
import asyncio
import json
import sys
import uuid

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def structured(result, what):
    check(not result.is_error, f"{what} succeeds")
    if result.is_error:
        print("     ", result.content[0].text if result.content else result)
    return result.structured_content or {}


async def read_json(c, uri):
    r = await c.read_resource(uri)
    return json.loads(r.contents[0].text)


async def flow(c, playbook_id, tag):
    tools = [t.name for t in (await c.list_tools()).tools]
    check("create_process" in tools and "complete_task" in tools, "the agent sees the working tools")
    library = await read_json(c, "playbooks://library")
    check(any(p["id"] == playbook_id for p in library["items"]), "playbooks://library lists the playbook")
    members = await read_json(c, "team://members")
    check(len(members["items"]) >= 2, "team://members lists the team")

    started = structured(await c.call_tool("create_process", {
        "playbook_id": playbook_id, "name": f"flow {tag}", "idempotency_key": f"flow-{tag}"}), "create_process")
    instance_id = started.get("id")
    check(started.get("status") == "running", "the instance runs")

    tasks = await read_json(c, "tasks://assigned")
    mine = [t for t in tasks["items"] if t.get("process_instance_id") == instance_id and t.get("step_id") == "draft"]
    check(len(mine) == 1, "the agent step's task is offered to the agent")
    if mine:
        done = structured(await c.call_tool("complete_task", {
            "task_id": mine[0]["id"], "output": {"reply": "Thanks, it is fixed."}}), "complete_task")
        check(done.get("status") == "completed", "the task is completed")
    status = structured(await c.call_tool("get_process_status", {"instance_id": instance_id}), "get_process_status")
    check(status.get("instance", {}).get("current_step_id") == "approve", "the instance moved to the human step")

    playbook = await read_json(c, f"playbook://{playbook_id}")
    for k in ("id", "team_id", "version", "created_at", "updated_at"):
        playbook.pop(k, None)
    playbook["description"] = f"Improved by the agent ({tag})"
    branch = f"agent-{tag}-{uuid.uuid4().hex[:6]}"
    saved = structured(await c.call_tool("update_process", {
        "playbook_id": playbook_id, "branch": branch, "playbook": playbook, "message": "Describe the playbook"}),
        "update_process")
    check(saved.get("description", "").startswith("Improved"), "the branch holds the change")
    proposal = structured(await c.call_tool("create_proposal", {
        "title": f"Describe the playbook ({tag})", "branch": branch}), "create_proposal")
    check(proposal.get("source_branch") == branch and proposal.get("target_branch") == "main",
          "the proposal goes from the branch into main")
    diff = await read_json(c, f"proposal://{proposal.get('id')}/diff")
    check(diff.get("ahead_by", 0) >= 1, "the proposal's diff shows the commit")

    bad = await c.call_tool("complete_task", {"task_id": str(uuid.uuid4())})
    error = json.loads(bad.content[0].text) if bad.is_error else {}
    check(bad.is_error and error.get("code") == "NOT_FOUND" and error.get("next"),
          "a missing task is a tool error that says what to do next")
    prompt = await c.get_prompt("task_guidance", {"task_id": mine[0]["id"]} if mine else {})
    text = prompt.messages[0].content.text
    check("Draft the reply" in text, "task_guidance is filled with the task's step")


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url")
    ap.add_argument("--token")
    ap.add_argument("--mode", default="auto")
    ap.add_argument("--playbook", required=True)
    ap.add_argument("--stdio", action="store_true")
    ap.add_argument("command", nargs="*")
    a = ap.parse_args()
    from mcp import Client, StdioServerParameters
    if a.stdio:
        async with Client(StdioServerParameters(command=a.command[0], args=a.command[1:])) as c:
            await flow(c, a.playbook, "stdio")
    else:
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client
        async with create_mcp_http_client(headers={"Authorization": f"Bearer {a.token}"}) as http:
            async with Client(streamable_http_client(a.url, http_client=http), mode=a.mode) as c:
                print("protocol:", c.session.protocol_version)
                await flow(c, a.playbook, a.mode)
    print(f"mcp flow: {len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


asyncio.run(main())
