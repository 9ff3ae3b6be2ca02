#!/usr/bin/python3
"""A producer in another language for the wire-contract tests: publishes the messages of a plan with pika (Debian's
python3-pika), as a Python service would, with publisher confirms and mandatory. Connects only to plan["uri"].

Usage: rabbitmq_publish.py PLAN.json
  PLAN: {"uri": "amqp://...", "messages": [{"exchange": str, "routing_key": str, "body": str,
         "properties": {"message_id", "type", "correlation_id", "content_type": str, "timestamp": Unix s},
         "headers": {name: {"str": text} | {"bytes": hex} | {"int": n} | {"table": {...}}}}]}
  pika sends a str as a long string (field type S), bytes as a byte array (x), an int as I or l, a dict as a table (F).
Prints {"sent": N} once the broker confirmed every message; exits non-zero on a nack or a return.
"""
import json
import sys

import pika


def header_value(spec):
    (kind, value), = spec.items()
    if kind == "bytes":
        return bytes.fromhex(value)
    if kind in ("str", "int", "table"):
        return value
    raise ValueError(f"unknown header encoding {kind}")


def main(plan_path):
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    connection = pika.BlockingConnection(pika.URLParameters(plan["uri"]))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for message in plan["messages"]:
            p = message.get("properties", {})
            headers = {name: header_value(spec) for name, spec in message.get("headers", {}).items()}
            properties = pika.BasicProperties(
                delivery_mode=2, message_id=p.get("message_id"), type=p.get("type"), correlation_id=p.get("correlation_id"),
                content_type=p.get("content_type"), timestamp=p.get("timestamp"), headers=headers or None)
            # With confirms on, basic_publish returns once the broker acked, and raises on a nack or a return.
            channel.basic_publish(message["exchange"], message["routing_key"], message["body"].encode("utf-8"), properties, mandatory=True)
        print(json.dumps({"sent": len(plan["messages"])}))
    finally:
        connection.close()


if __name__ == "__main__":
    main(sys.argv[1])
