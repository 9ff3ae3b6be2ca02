using System.Text.Json;

namespace Messaging.Benchmarks.Model;

/// <summary>Messages whose System.Text.Json body is (within a few bytes) the requested size; the same for every contender.</summary>
public static class Payloads
{
    private static readonly Dictionary<int, string> Cache = [];

    public static BenchMessage Message(long seq, int bodyBytes) => new(seq, Key(seq), Payload(bodyBytes));

    public static string Key(long seq) => KeyNames[seq % KeyNames.Length];

    private static readonly string[] KeyNames = Enumerable.Range(0, 64).Select(i => $"key-{i}").ToArray();

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
