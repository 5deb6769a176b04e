"""The proxy's Server-Timing header and its stream's `: server-timing` comment, read by the
official openai SDK: the results are the same as without them. Run by ProfilingTests."""
import os

import json
import urllib.request

import openai

client = openai.OpenAI(base_url=os.environ["PROXY_URL"] + "/v1", api_key=os.environ["PROXY_KEY"], max_retries=0)

raw = client.chat.completions.with_raw_response.create(model="sonnet", messages=[{"role": "user", "content": "hi"}])
timing = raw.headers.get("server-timing", "")
names = [part.split(";")[0].strip() for part in timing.split(",")]
assert names[0] == "queue" and "first_token" in names and names[-1] == "total", timing
completion = raw.parse()
assert completion.choices[0].message.content == "Hello from mock.", completion

stream = client.chat.completions.create(model="sonnet", messages=[{"role": "user", "content": "hi"}], stream=True)
assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == "Hello from mock."

events = list(client.responses.create(model="opus", input="hi", stream=True))
assert events[-1].type == "response.completed" and events[-1].response.output_text == "Hello from mock."

# The comment is there on the wire, last, after the final event.
request = urllib.request.Request(
    os.environ["PROXY_URL"] + "/v1/chat/completions",
    data=json.dumps({"model": "sonnet", "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode(),
    headers={"Authorization": "Bearer " + os.environ["PROXY_KEY"], "Content-Type": "application/json"})
body = urllib.request.urlopen(request).read().decode()
assert body.rstrip("\n").split("\n\n")[-1].startswith(": server-timing queue;dur="), body[-300:]
print("server-timing ok")
