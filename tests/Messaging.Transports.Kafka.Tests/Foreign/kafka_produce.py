#!/usr/bin/python3
"""A producer in another language for the wire-contract tests: produces the records of a plan with confluent-kafka
(Debian's python3-confluent-kafka, on librdkafka), as a Python service would. Connects only to plan["bootstrap"].

Usage: kafka_produce.py PLAN.json
  PLAN: {"bootstrap": "host:port,...", "topic": str, "partitioner": "murmur2_random" (omit for librdkafka's default,
         consistent_random), "messages": [{"key": str or null, "value": str,
         "headers": [[name, {"str": text} | {"bytes": hex} | {"null": true}]]}]}
  Kafka header values are bytes on the wire: a str is sent as its UTF-8 bytes.
Prints {"sent": N, "partitions": [partition of each record, in plan order]} once every record was acknowledged.
"""
import json
import sys

from confluent_kafka import Producer


def header_value(spec):
    (kind, value), = spec.items()
    return {"str": lambda: value, "bytes": lambda: bytes.fromhex(value), "null": lambda: None}[kind]()


def main(plan_path):
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    config = {"bootstrap.servers": plan["bootstrap"], "acks": "all", "enable.idempotence": True}
    if plan.get("partitioner"):
        config["partitioner"] = plan["partitioner"]
    producer = Producer(config)
    partitions = [None] * len(plan["messages"])
    errors = []

    def delivered(index):
        def report(error, record):
            if error is not None:
                errors.append(str(error))
            else:
                partitions[index] = record.partition()
        return report

    for index, message in enumerate(plan["messages"]):
        headers = [(name, header_value(spec)) for name, spec in message.get("headers", [])]
        key = message.get("key")
        producer.produce(plan["topic"], value=message["value"].encode("utf-8"),
                         key=key.encode("utf-8") if key is not None else None, headers=headers, on_delivery=delivered(index))
        producer.poll(0)
    if producer.flush(30) != 0 or errors:
        sys.exit(f"not every record was acknowledged: {errors}")
    print(json.dumps({"sent": len(plan["messages"]), "partitions": partitions}))


if __name__ == "__main__":
    main(sys.argv[1])
