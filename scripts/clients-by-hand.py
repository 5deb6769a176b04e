#!/usr/bin/env python3
"""Client libraries the suite does not install (their pins pull openai below the suite's), run by hand
against a proxy on the test stack: the real CLI talking to Tests/Integration/Support/mock_anthropic.py,
whose [[scenario:…]] markers these prompts use. Not part of the suite; the README's client table says
what it ran and when.

  python3 -m venv /tmp/clients && /tmp/clients/bin/pip install instructor==1.17.0 \
      'pydantic-ai-slim[openai]==2.38.0' llm==0.36 'smolagents[openai]==1.26.0'
  python3 -m venv /tmp/aider && /tmp/aider/bin/pip install aider-chat==0.86.2     # optional, its own venv
  PROXY_URL=http://127.0.0.1:PORT PROXY_KEY=KEY AIDER=/tmp/aider/bin/aider /tmp/clients/bin/python scripts/clients-by-hand.py
"""
import json, os, subprocess, sys, tempfile

BASE = os.environ.get("PROXY_URL", "http://127.0.0.1:8080") + "/v1"; KEY = os.environ.get("PROXY_KEY", "")
results = {}
def check(name, fn):
    try:
        results[name] = "ok: " + str(fn())[:120]
    except Exception as e:
        results[name] = "FAIL: " + repr(e)[:300]
    print(name, results[name], flush=True)

from openai import OpenAI
import pydantic
class Person(pydantic.BaseModel):
    name: str
    age: int

def instructor_extraction(mode, scenario):
    import instructor
    client = instructor.from_openai(OpenAI(base_url=BASE, api_key=KEY), mode=mode)
    p = client.chat.completions.create(model="sonnet", response_model=Person, max_retries=0,
        messages=[{"role": "user", "content": f"who? [[scenario:{scenario}]]"}])
    assert p.model_dump() == {"name": "Alice", "age": 30}, p
    return p

import instructor
check("instructor TOOLS", lambda: instructor_extraction(instructor.Mode.TOOLS, "tool_call"))
check("instructor JSON_SCHEMA", lambda: instructor_extraction(instructor.Mode.JSON_SCHEMA, "structured"))

def pydantic_ai_output():
    from pydantic_ai import Agent
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider
    model = OpenAIChatModel("sonnet", provider=OpenAIProvider(base_url=BASE, api_key=KEY))
    r = Agent(model, output_type=Person).run_sync("who? [[scenario:tool_call]]")
    assert r.output == Person(name="Alice", age=30), r.output
    return r.output
check("pydantic-ai output_type", pydantic_ai_output)

def pydantic_ai_tool():
    from pydantic_ai import Agent
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider
    model = OpenAIChatModel("sonnet", provider=OpenAIProvider(base_url=BASE, api_key=KEY))
    agent = Agent(model)
    calls = []
    @agent.tool_plain
    def get_weather(city: str) -> str:
        """Weather in a city."""
        calls.append(city); return f"Sunny in {city}"
    r = agent.run_sync("weather? [[scenario:tool_call]]")
    assert calls == ["Alice"] and "Sunny in Alice" in r.output, (calls, r.output)
    return r.output
check("pydantic-ai tool loop", pydantic_ai_tool)

def pydantic_ai_responses():
    from pydantic_ai import Agent
    from pydantic_ai.models.openai import OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider
    model = OpenAIResponsesModel("sonnet", provider=OpenAIProvider(base_url=BASE, api_key=KEY))
    r = Agent(model).run_sync("hi")
    assert r.output == "Hello from mock.", r.output
    return r.output
check("pydantic-ai Responses", pydantic_ai_responses)

def llm_cli():
    d = tempfile.mkdtemp(prefix="llm-conf."); os.makedirs(d, exist_ok=True)
    open(d + "/extra-openai-models.yaml", "w").write(f"- model_id: claude-proxy\n  model_name: sonnet\n  api_base: \"{BASE}\"\n  api_key_name: claude-proxy\n")
    open(d + "/keys.json", "w").write(json.dumps({"claude-proxy": KEY}))
    env = dict(os.environ, LLM_USER_PATH=d)
    out = subprocess.run([sys.prefix + "/bin/llm", "-m", "claude-proxy", "hi"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "Hello from mock." in out.stdout, (out.returncode, out.stdout, out.stderr[-500:])
    return out.stdout.strip()
check("llm CLI", llm_cli)

def smolagents_tool():
    from smolagents import ToolCallingAgent, OpenAIServerModel, tool
    @tool
    def get_weather(city: str) -> str:
        """Weather in a city.

        Args:
            city: the city
        """
        return f"Sunny in {city}"
    model = OpenAIServerModel(model_id="sonnet", api_base=BASE, api_key=KEY)
    agent = ToolCallingAgent(tools=[get_weather], model=model, max_steps=3, verbosity_level=0)
    return agent.run("weather? [[scenario:tool_call]]")
check("smolagents ToolCallingAgent", smolagents_tool)
def aider_edit():
    """aider (its own venv: AIDER=/path/to/aider) makes a real SEARCH/REPLACE edit and commits it."""
    aider = os.environ.get("AIDER")
    if not aider:
        return "skipped: AIDER not set"
    repo = tempfile.mkdtemp(prefix="aider-repo.")
    def git(*args):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    git("init", "-q"); git("config", "user.email", "t@t"); git("config", "user.name", "t")
    open(repo + "/hello.py", "w").write('print("hi")\n')
    git("add", "."); git("commit", "-qm", "init")
    block = 'hello.py\n```python\n<<<<<<< SEARCH\nprint("hi")\n=======\nprint("hello")\n>>>>>>> REPLACE\n```\n'
    env = dict(os.environ, HOME=repo, OPENAI_API_BASE=BASE, OPENAI_API_KEY=KEY)
    out = subprocess.run([aider, "--model", "openai/sonnet", "--edit-format", "diff", "--yes-always", "--no-check-update",
                          "--no-show-model-warnings", "--analytics-disable", "--no-gitignore",
                          "--message", f"Say hello. [[scenario:say]] [[say]]{block}[[/say]]", "hello.py"],
                         cwd=repo, env=env, capture_output=True, text=True, timeout=180)
    edited = open(repo + "/hello.py").read()
    commits = subprocess.run(["git", "log", "--oneline"], cwd=repo, capture_output=True, text=True).stdout.splitlines()
    assert out.returncode == 0 and edited == 'print("hello")\n' and len(commits) == 2, (out.stdout[-800:], edited, commits)
    return "edited and committed"
check("aider SEARCH/REPLACE edit", aider_edit)
print(json.dumps(results, indent=1))
