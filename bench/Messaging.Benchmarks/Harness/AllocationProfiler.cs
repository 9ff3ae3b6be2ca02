using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Messaging.Benchmarks.Harness;

/// <summary>
/// A poor man's allocation profiler (--profile-alloc): listens to the runtime's GC AllocationTick events (one per
/// about 100 KB allocated, with the type that crossed the threshold) while enabled, so the top types approximate
/// where the bytes go. No external tool needed.
/// </summary>
public sealed class AllocationProfiler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private volatile bool _recording;

    public void Start()
    {
        _bytesByType.Clear();
        _recording = true;
    }

    public IReadOnlyList<(string Type, long Bytes)> Stop()
    {
        _recording = false;
        return _bytesByType.OrderByDescending(p => p.Value).Select(p => (p.Key, p.Value)).ToList();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal)) return;
        var payload = eventData.PayloadNames;
        if (payload is null || eventData.Payload is null) return;
        var typeIndex = payload.IndexOf("TypeName");
        var amountIndex = payload.IndexOf("AllocationAmount64");
        if (amountIndex < 0) amountIndex = payload.IndexOf("AllocationAmount");
        if (typeIndex < 0 || amountIndex < 0) return;
        var type = eventData.Payload[typeIndex] as string ?? "?";
        var amount = Convert.ToInt64(eventData.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture);
        _bytesByType.AddOrUpdate(type, amount, (_, total) => total + amount);
    }
}
