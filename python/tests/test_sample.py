"""pathconf.sample against a loopback OpenAI-compatible stub (the Rust
integration tests run the real `pathconf serve`): the binding's options,
result, file and errors. Deterministic: the stub's answer is a function of
each request's seed."""

import http.server
import json
import threading

import pytest

import pathconf


class Stub(http.server.BaseHTTPRequestHandler):
    requests = []

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._send(404, {"error": {"message": "no such route", "type": "invalid_request_error"}})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Stub.requests.append(body)
        answer = "3" if body["seed"] % 5 == 0 else "7"
        tokens = [("The answer is ", -0.25), (answer, -1.5 if answer == "3" else -0.125), (".", -0.0625)]
        self._send(
            200,
            {
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "".join(t for t, _ in tokens)},
                        "logprobs": {"content": [{"token": t, "logprob": lp, "top_logprobs": []} for t, lp in tokens]},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
            },
        )


@pytest.fixture()
def stub():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Stub.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_sample_stops_online_and_returns_paths_and_rows(stub, tmp_path):
    q = tmp_path / "q.jsonl"
    q.write_text("".join(json.dumps({"id": f"q{i}", "question": f"What is {i}?", "answer": "7"}) + "\n" for i in range(6)))
    out = tmp_path / "run.jsonl"
    res = pathconf.sample(stub, "stub", q, 8, out, stop="esc:2:8", methods=["sc", "pc"], temperature=1.0, top_p=1.0, seed=3, concurrency=2, logprob_kind="processed")
    assert len(res) == 6 and res.rule == "esc:2:8"
    for row in res:
        assert row["samples"] in (2, 4, 6, 8) and row["answer"] in ("3", "7")
        assert [m["method"] for m in row["methods"]] == ["SC", "PC"]
    # Every request carried the sampling fields, a seed and logprobs.
    assert all(r["logprobs"] is True and r["top_logprobs"] == 20 and "top_k" not in r and isinstance(r["seed"], int) for r in Stub.requests)
    assert len({r["seed"] for r in Stub.requests}) == len(Stub.requests)
    # The draws read back as pathconf.load reads the file.
    assert res.paths.format == "jsonl" and sorted(res.paths.ids) == [f"q{i}" for i in range(6)]
    assert sum(res.paths.paths_per_question()) == sum(r["samples"] + r["overshoot"] for r in res)
    assert res.report["requested"] == len(Stub.requests)
    # The same rule replayed on the file stops where the run stopped.
    replay = pathconf.evaluate(res.paths, stop=["esc:2:8"], order="file", per_question=True)
    stops = {r["id"]: r["samples"] for r in replay.json["per_question"]}
    assert stops == {r["id"]: float(r["samples"]) for r in res}
    # An existing file needs resume=True.
    with pytest.raises(RuntimeError, match="--resume"):
        pathconf.sample(stub, "stub", q, 8, out, stop="esc:2:8", seed=3)
    # With ground truths: the rule priced against the fixed budgets its own
    # draws measure (every question has at least 2 draws).
    assert res.fixed["measured_up_to"] >= 2 and len(res.fixed["fixed_accuracy"]) == res.fixed["measured_up_to"]
    assert res.fixed["rule_accuracy"] == pytest.approx(100 * sum(r["correct"] for r in res) / 6)
    assert res.choices_per_request == 1


def test_sample_takes_several_endpoints_in_turn(stub, tmp_path):
    q = tmp_path / "q.jsonl"
    q.write_text(json.dumps({"id": "q0", "question": "What is 0?", "answer": "7"}) + "\n")
    res = pathconf.sample([stub, stub + "/v1"], "stub", q, 4, tmp_path / "two.jsonl", seed=1, logprob_kind="processed")
    assert len(res) == 1 and res.report["requests"] == 4
    header = json.loads((tmp_path / "two.jsonl").read_text().splitlines()[0])
    assert isinstance(header["settings"]["endpoint"], list) and len(header["settings"]["endpoint"]) == 2


def test_sample_rejects_bad_options(stub, tmp_path):
    q = tmp_path / "q.jsonl"
    q.write_text(json.dumps({"id": "a", "question": "x"}) + "\n")
    with pytest.raises(ValueError, match="stopping rule"):
        pathconf.sample(stub, "stub", q, 8, tmp_path / "o.jsonl", stop="esc:3:8")
    with pytest.raises(ValueError, match="top_logprobs"):
        pathconf.sample(stub, "stub", q, 8, tmp_path / "o.jsonl", top_logprobs=21)
    with pytest.raises(ValueError, match="api"):
        pathconf.sample(stub, "stub", q, 8, tmp_path / "o.jsonl", api="grpc")
    with pytest.raises(FileNotFoundError):
        pathconf.sample(stub, "stub", tmp_path / "missing.jsonl", 8, tmp_path / "o.jsonl")
