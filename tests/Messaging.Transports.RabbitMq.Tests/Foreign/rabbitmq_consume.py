#!/usr/bin/python3
"""A consumer in another language for the wire-contract tests: takes messages from a queue with pika (basic.get,
acked) and prints what a Python service sees. Connects only to plan["uri"].

Usage: rabbitmq_consume.py PLAN.json     PLAN: {"uri": "amqp://...", "queue": str, "count": n, "timeout_s": s}
Prints a JSON list, one entry per message: exchange, routing_key, the properties, every header as
{"type": Python type name, "value": ...} (pika gives a long string S as str when it is UTF-8, a byte array x as bytes,
shown as hex), and the body as text.
"""
import json
import sys
import time

import pika


def shown(value):
    if isinstance(value, bytes):
        return {"type": "bytes", "value": value.hex()}
    return {"type": type(value).__name__, "value": value if isinstance(value, (str, int, bool)) or value is None else repr(value)}


def main(plan_path):
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    connection = pika.BlockingConnection(pika.URLParameters(plan["uri"]))
    seen = []
    try:
        channel = connection.channel()
        deadline = time.monotonic() + plan["timeout_s"]
        while len(seen) < plan["count"] and time.monotonic() < deadline:
            method, properties, body = channel.basic_get(plan["queue"], auto_ack=True)
            if method is None:
                time.sleep(0.05)
                continue
            seen.append({
                "exchange": method.exchange,
                "routing_key": method.routing_key,
                "properties": {
                    "delivery_mode": properties.delivery_mode, "message_id": properties.message_id, "type": properties.type,
                    "correlation_id": properties.correlation_id, "content_type": properties.content_type,
                    "timestamp": properties.timestamp,
                },
                "headers": {name: shown(value) for name, value in (properties.headers or {}).items()},
                "body": body.decode("utf-8"),
            })
    finally:
        connection.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main(sys.argv[1])
