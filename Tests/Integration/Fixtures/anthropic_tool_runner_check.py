"""The anthropic SDK's default tool runner (client.beta.messages.tool_runner), and messages.parse, against the proxy's
Messages front, unchanged: it threads by default (`thread` on each turn); the proxy refuses the
thread with the details the SDK recovers from, and the loop then runs with the whole conversation.
Prints one line per check; exits non-zero on the first failure. Run by ClientFidelityTests."""
import os

import anthropic
from anthropic import beta_tool

client = anthropic.Anthropic(base_url=os.environ["PROXY_URL"], api_key=os.environ["PROXY_KEY"], max_retries=0)
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

# messages.parse with a pydantic model: output_config.format reaches the CLI's JSON-schema mode.
import pydantic


class Person(pydantic.BaseModel):
    name: str
    age: int


parsed = client.messages.parse(model="claude-sonnet-4-5", max_tokens=300, output_format=Person,
                               messages=[{"role": "user", "content": "who? [[scenario:structured]]"}])
assert parsed.parsed_output == Person(name="Alice", age=30), parsed
print("parse ok")
