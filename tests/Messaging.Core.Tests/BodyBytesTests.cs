using Xunit;

namespace Messaging.Tests;

public sealed class BodyBytesTests
{
    [Fact]
    public void A_body_that_is_a_whole_array_is_handed_over_without_a_copy()
    {
        var array = new byte[] { 1, 2, 3, 4 };
        Assert.Same(array, BodyBytes.AsArray(array));
    }

    [Fact]
    public void A_body_that_is_part_of_an_array_is_copied_to_exactly_its_bytes()
    {
        var array = new byte[] { 1, 2, 3, 4 };
        var copy = BodyBytes.AsArray(new ReadOnlyMemory<byte>(array, 1, 2));
        Assert.NotSame(array, copy);
        Assert.Equal(new byte[] { 2, 3 }, copy);
    }
}
