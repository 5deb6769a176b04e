"""Real client libraries against the proxy, as the README's recipes configure them: LiteLLM,
LangChain (langchain-openai) and the OpenAI Agents SDK, each through chat, streaming, the
Responses API and structured output. Every socket is held to loopback: a connection anywhere
else fails the run. Prints one line per check; exits non-zero on the first failure.
Run by ClientsTests with the pinned versions scripts/test.sh installs."""
import asyncio
import os
import socket
import sys

# Nothing leaves the machine: not a model price list, not a tokenizer, not a trace.
_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
        raise AssertionError(f"a connection to {address} left loopback")
    return _connect(self, address)


socket.socket.connect = _loopback_only
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"

from pydantic import BaseModel  # noqa: E402

BASE = os.environ["PROXY_URL"] + "/v1"
KEY = os.environ["PROXY_KEY"]
HELLO = "Hello from mock."
WHO = "who [[scenario:structured]]"


class Person(BaseModel):
    name: str
    age: int


def check(name, condition, detail=""):
    if not condition:
        print(f"FAILED {name}: {detail}")
        sys.exit(1)
    print(f"{name} ok")


def litellm_checks():
    import litellm
    litellm.telemetry = False
    common = {"model": "openai/sonnet", "api_base": BASE, "api_key": KEY}
    reply = litellm.completion(messages=[{"role": "user", "content": "hi"}], **common)
    check("litellm chat", reply.choices[0].message.content == HELLO, reply)
    chunks = litellm.completion(messages=[{"role": "user", "content": "hi"}], stream=True, **common)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    check("litellm stream", text == HELLO, text)
    response = litellm.responses(input="hi", **common)
    check("litellm responses", response.output[0].content[0].text == HELLO, response)
    structured = litellm.completion(messages=[{"role": "user", "content": WHO}], response_format=Person, **common)
    check("litellm structured", Person.model_validate_json(structured.choices[0].message.content) == Person(name="Alice", age=30),
          structured)


def langchain_checks():
    from langchain_openai import ChatOpenAI
    chat = ChatOpenAI(model="sonnet", base_url=BASE, api_key=KEY, max_retries=0)
    check("langchain chat", chat.invoke("hi").content == HELLO)
    check("langchain stream", "".join(chunk.content for chunk in chat.stream("hi")) == HELLO)
    responses = ChatOpenAI(model="sonnet", base_url=BASE, api_key=KEY, max_retries=0, use_responses_api=True)
    check("langchain responses", responses.invoke("hi").text == HELLO)
    person = chat.with_structured_output(Person).invoke(WHO)
    check("langchain structured", person == Person(name="Alice", age=30), person)


def agents_checks():
    from agents import Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel, Runner, set_tracing_disabled
    from openai import AsyncOpenAI
    set_tracing_disabled(True)

    async def run_all():
        # One event loop for the client's connection pool.
        client = AsyncOpenAI(base_url=BASE, api_key=KEY, max_retries=0)
        chat_model = OpenAIChatCompletionsModel(model="sonnet", openai_client=client)
        responses_model = OpenAIResponsesModel(model="sonnet", openai_client=client)
        result = await Runner.run(Agent(name="a", instructions="Be brief.", model=chat_model), "hi")
        check("agents chat", result.final_output == HELLO, result.final_output)
        run = Runner.run_streamed(Agent(name="a", model=chat_model), "hi")
        deltas = []
        async for event in run.stream_events():
            if event.type == "raw_response_event" and getattr(event.data, "type", "") == "response.output_text.delta":
                deltas.append(event.data.delta)
        check("agents stream", "".join(deltas) == HELLO and run.final_output == HELLO, (deltas, run.final_output))
        result = await Runner.run(Agent(name="a", model=responses_model), "hi")
        check("agents responses", result.final_output == HELLO, result.final_output)
        result = await Runner.run(Agent(name="a", model=chat_model, output_type=Person), WHO)
        check("agents structured", result.final_output == Person(name="Alice", age=30), result.final_output)
        # A tool loop chained by previous_response_id: the second request sends only the call's output.
        from agents import function_tool

        @function_tool
        def get_weather(city: str) -> str:
            """Weather in a city."""
            return f"Sunny in {city}"

        agent = Agent(name="a", model=responses_model, tools=[get_weather])
        result = await Runner.run(agent, "weather? [[scenario:tool_call]]", auto_previous_response_id=True)
        chained = [response.response_id for response in result.raw_responses]
        check("agents previous_response_id", str(result.final_output).startswith("The tool said: Sunny in Alice")
              and len(chained) == 2, (result.final_output, chained))

    asyncio.run(run_all())


for group in sys.argv[1:] or ["litellm", "langchain", "agents"]:
    {"litellm": litellm_checks, "langchain": langchain_checks, "agents": agents_checks}[group]()
