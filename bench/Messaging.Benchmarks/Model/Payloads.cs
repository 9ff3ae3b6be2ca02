using System.Text.Json;

namespace Messaging.Benchmarks.Model;

/// <summary>Messages whose System.Text.Json body is (within a few bytes) the requested size; the same for every contender.</summary>
public static class Payloads
{
    private static readonly Dictionary<int, string> Cache = [];

    /// <summary>Partition keys of every scenario unless it says otherwise.</summary>
    public const int DefaultKeys = 64;

    public static BenchMessage Message(long seq, int bodyBytes) => new(seq, Key(seq), Payload(bodyBytes));

    /// <summary>A message whose partition key is one of <paramref name="keys"/> (the 1,000-key outbox drain).</summary>
    public static BenchMessage Message(long seq, int bodyBytes, int keys) =>
        keys == DefaultKeys ? Message(seq, bodyBytes) : new(seq, $"key-{seq % keys}", Payload(bodyBytes));

    public static string Key(long seq) => KeyNames[seq % KeyNames.Length];

    private static readonly string[] KeyNames = Enumerable.Range(0, DefaultKeys).Select(i => $"key-{i}").ToArray();

    public static string Payload(int bodyBytes)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(bodyBytes, out var cached)) return cached;
            var overhead = JsonSerializer.SerializeToUtf8Bytes(new BenchMessage(100_000, "key-10", "")).Length;
            var payload = new string('x', Math.Max(0, bodyBytes - overhead));
            Cache[bodyBytes] = payload;
            return payload;
        }
    }

    public static string Size(int bodyBytes) => bodyBytes >= 1024 ? $"{bodyBytes / 1024}KB" : $"{bodyBytes}B";
}
