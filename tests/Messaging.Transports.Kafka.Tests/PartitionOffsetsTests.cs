using Messaging.Kafka.Consuming;
using Xunit;

namespace Messaging.Kafka.Tests;

public sealed class PartitionOffsetsTests
{
    [Fact]
    public void Nothing_is_committable_before_the_first_record_finishes()
    {
        var offsets = new PartitionOffsets();
        Assert.Equal(-1, offsets.Committable);
        offsets.TryAdd(10);
        offsets.TryAdd(11);
        Assert.Equal(-1, offsets.Committable);
        Assert.Equal(10, offsets.NextUnfinished);
        Assert.Equal(2, offsets.Pending);
    }

    [Fact]
    public void In_order_completion_moves_the_watermark_one_past_each_record()
    {
        var offsets = new PartitionOffsets();
        offsets.TryAdd(0);
        offsets.TryAdd(1);
        Assert.True(offsets.Complete(0));
        Assert.Equal(1, offsets.Committable);
        Assert.True(offsets.Complete(1));
        Assert.Equal(2, offsets.Committable);
        Assert.Equal(0, offsets.Pending);
        Assert.Equal(2, offsets.NextUnfinished);
    }

    [Fact]
    public void Out_of_order_completion_never_moves_past_an_unfinished_record()
    {
        var offsets = new PartitionOffsets();
        for (var o = 0; o < 5; o++) offsets.TryAdd(o);
        Assert.False(offsets.Complete(4));
        Assert.False(offsets.Complete(2));
        Assert.False(offsets.Complete(1));
        Assert.Equal(-1, offsets.Committable); // 0 still running
        Assert.True(offsets.Complete(0));
        Assert.Equal(3, offsets.Committable); // 0,1,2 done; 3 still running
        Assert.Equal(3, offsets.NextUnfinished);
        Assert.True(offsets.Complete(3));
        Assert.Equal(5, offsets.Committable);
    }

    [Fact]
    public void A_record_that_never_finishes_holds_the_watermark_forever()
    {
        var offsets = new PartitionOffsets();
        for (var o = 100; o < 200; o++) offsets.TryAdd(o);
        offsets.Complete(100);
        for (var o = 102; o < 200; o++) offsets.Complete(o); // 101 failed or was cancelled
        Assert.Equal(101, offsets.Committable);
        Assert.Equal(99, offsets.Pending);
    }

    [Fact]
    public void Gaps_in_offsets_are_allowed_and_the_watermark_follows_the_records_seen()
    {
        var offsets = new PartitionOffsets();
        offsets.TryAdd(3);
        offsets.TryAdd(7); // 4..6 compacted away or control records
        offsets.Complete(7);
        Assert.Equal(-1, offsets.Committable);
        offsets.Complete(3);
        Assert.Equal(8, offsets.Committable);
    }

    [Fact]
    public void Offsets_fetched_again_are_ignored_and_finishing_twice_is_refused()
    {
        var offsets = new PartitionOffsets();
        Assert.True(offsets.TryAdd(5));
        Assert.False(offsets.TryAdd(5)); // a rewind re-fetched it: already tracked
        Assert.False(offsets.TryAdd(4));
        Assert.Equal(1, offsets.Pending);
        Assert.Throws<InvalidOperationException>(() => offsets.Complete(6)); // never added
        offsets.Complete(5);
        Assert.Throws<InvalidOperationException>(() => offsets.Complete(5));
        Assert.False(offsets.TryAdd(5)); // finished records are not handled again either
        Assert.Equal(6, offsets.Committable);
    }

    [Fact]
    public void Concurrent_random_completion_ends_at_the_last_offset_plus_one_and_never_overtakes()
    {
        const int count = 20_000;
        var offsets = new PartitionOffsets();
        for (var o = 0; o < count; o++) offsets.TryAdd(o);
        var finished = new bool[count];
        var order = Enumerable.Range(0, count).OrderBy(_ => Random.Shared.Next()).ToArray();
        var violations = 0;
        Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = 8 }, o =>
        {
            Volatile.Write(ref finished[o], true);
            offsets.Complete(o);
            var watermark = offsets.Committable;
            // Everything below the watermark must be finished.
            if (watermark > 0 && !Volatile.Read(ref finished[watermark - 1])) Interlocked.Increment(ref violations);
        });
        Assert.Equal(0, violations);
        Assert.Equal(count, offsets.Committable);
        Assert.Equal(0, offsets.Pending);
    }
}
