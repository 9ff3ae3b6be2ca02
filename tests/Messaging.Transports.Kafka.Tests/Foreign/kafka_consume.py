#!/usr/bin/python3
"""A consumer in another language for the wire-contract tests: reads a topic from the beginning with confluent-kafka
(assigned partitions, no consumer group) and prints what a Python service sees. Connects only to plan["bootstrap"].

Usage: kafka_consume.py PLAN.json     PLAN: {"bootstrap": "host:port,...", "topic": str, "count": n, "timeout_s": s}
Prints a JSON list, one entry per record: partition, offset, key, value (text), timestamp (ms), and the headers in
order as [name, {"utf8": text}] (or {"hex": ...} when not UTF-8, {"null": true} when absent).
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition


def shown(value):
    if value is None:
        return {"null": True}
    try:
        return {"utf8": value.decode("utf-8")}
    except UnicodeDecodeError:
        return {"hex": value.hex()}


def main(plan_path):
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    consumer = Consumer({"bootstrap.servers": plan["bootstrap"], "group.id": "wire-contract-reader", "enable.auto.commit": False})
    deadline = time.monotonic() + plan["timeout_s"]
    seen = []
    try:
        metadata = consumer.list_topics(plan["topic"], timeout=plan["timeout_s"]).topics[plan["topic"]]
        consumer.assign([TopicPartition(plan["topic"], p, OFFSET_BEGINNING) for p in metadata.partitions])
        while len(seen) < plan["count"] and time.monotonic() < deadline:
            record = consumer.poll(0.2)
            if record is None or record.error() is not None:
                continue
            key = record.key()
            seen.append({
                "partition": record.partition(), "offset": record.offset(),
                "key": key.decode("utf-8") if key is not None else None,
                "value": record.value().decode("utf-8"),
                "timestamp": record.timestamp()[1],
                "headers": [[name, shown(value)] for name, value in (record.headers() or [])],
            })
    finally:
        consumer.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main(sys.argv[1])
