"""The anthropic SDK's default tool runner (client.beta.messages.tool_runner), and messages.parse, against the proxy's
Messages front, unchanged: it threads by default (`thread` on each turn), and the proxy serves the
thread: the first request creates it, the second sends only the tool result and continues it.
Prints one line per check; exits non-zero on the first failure. Run by ClientFidelityTests."""
import json
import os

import anthropic
import httpx2
from anthropic import beta_tool

# What the SDK sent and got, seen from the transport: each request's thread and messages, each status.
sent = []


def on_request(request):
    if request.url.path.endswith("/v1/messages"):
        body = json.loads(request.content)
        sent.append({"thread": body.get("thread"), "messages": len(body["messages"]), "tools": "tools" in body})


def on_response(response):
    if response.request.url.path.endswith("/v1/messages"):
        sent[-1]["status"] = response.status_code


transport = httpx2.Client(event_hooks={"request": [on_request], "response": [on_response]})
client = anthropic.Anthropic(base_url=os.environ["PROXY_URL"], api_key=os.environ["PROXY_KEY"], max_retries=0,
                             http_client=transport)
calls = []


@beta_tool
def get_weather(city: str) -> str:
    """Current weather in a city.

    Args:
        city: the city's name
    """
    calls.append(city)
    return f"Sunny in {city}"


runner = client.beta.messages.tool_runner(model="claude-sonnet-4-5", max_tokens=300, tools=[get_weather],
                                          messages=[{"role": "user", "content": "weather? [[scenario:tool_call]]"}])
final = runner.until_done()
assert calls == ["Alice"], calls
text = "".join(block.text for block in final.content if block.type == "text")
assert text.startswith("The tool said: Sunny in Alice"), final.content
print("tool runner ok")
# Served as a thread: no refusal, and the second turn carried only the tool result.
assert [entry["status"] for entry in sent] == [200, 200], sent
assert sent[0]["thread"] == {"type": "create"} and sent[0]["tools"], sent
assert sent[1]["thread"]["type"] == "continue" and sent[1]["messages"] == 1 and not sent[1]["tools"], sent
print("thread ok", sent[1]["thread"]["previous_message_id"])

# messages.parse with a pydantic model: output_config.format reaches the CLI's JSON-schema mode.
import pydantic


class Person(pydantic.BaseModel):
    name: str
    age: int


parsed = client.messages.parse(model="claude-sonnet-4-5", max_tokens=300, output_format=Person,
                               messages=[{"role": "user", "content": "who? [[scenario:structured]]"}])
assert parsed.parsed_output == Person(name="Alice", age=30), parsed
print("parse ok")
