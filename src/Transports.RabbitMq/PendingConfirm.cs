using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Messaging.RabbitMq;

/// <summary>One publish awaiting its publisher confirm (<see cref="ConfirmTracker"/>).</summary>
internal sealed class PendingConfirm(ulong sequenceNumber, string exchange, string routingKey, string? returnKey)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (ushort Code, string Text)? _returned;

    /// <summary>The publish sequence number the broker's <c>basic.ack</c>/<c>basic.nack</c> names.</summary>
    public ulong SequenceNumber { get; } = sequenceNumber;

    /// <summary>Completes on the confirm; faults with the reason it was not confirmed.</summary>
    public Task Task => _completion.Task;

    /// <summary>What identifies a returned message: its <c>message-id</c> header, else its <c>message_id</c> property,
    /// read the same way from what we publish and from what the broker returns.</summary>
    public static string? ReturnKey(IReadOnlyBasicProperties properties) =>
        properties.Headers is { } headers && headers.TryGetValue(HeaderNames.MessageId, out var value)
        && AmqpHeaderValue.TryReadText(value, out var text, out _) && !string.IsNullOrEmpty(text)
            ? text
            : properties.MessageId;

    /// <summary>True when a <c>basic.return</c> of this exchange, routing key and message may be this publish's.</summary>
    public bool Matches(string returnedExchange, string returnedRoutingKey, string? returnedKey) =>
        _returned is null && string.Equals(exchange, returnedExchange, StringComparison.Ordinal)
        && string.Equals(routingKey, returnedRoutingKey, StringComparison.Ordinal) && string.Equals(returnKey, returnedKey, StringComparison.Ordinal);

    /// <summary>The broker returned it (<c>mandatory</c>, no queue bound): its ack will fail it.</summary>
    public void MarkReturned(ushort replyCode, string replyText) => _returned = (replyCode, replyText);

    /// <summary>The broker acked it: success, unless it was returned first.</summary>
    public void Confirm()
    {
        if (_returned is { } returned)
            _completion.TrySetException(new PublishReturnException(SequenceNumber, $"{returned.Code} {returned.Text}", exchange, routingKey, returned.Code, returned.Text));
        else
            _completion.TrySetResult();
    }

    public void Fail(Exception exception) => _completion.TrySetException(exception);
}
