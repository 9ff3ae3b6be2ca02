namespace Messaging.Benchmarks.Model;

/// <summary>The message every contender sends: a sequence number, a partition key and a payload sized so the JSON body has the scenario's size.</summary>
public sealed record BenchMessage(long Seq, string Key, string Payload);
