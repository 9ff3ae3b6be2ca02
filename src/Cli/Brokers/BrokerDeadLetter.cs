using Messaging.Outbox;

namespace Messaging.Cli.Brokers;

/// <summary>A dead letter read from a broker's dead-letter queue or topic (not yet removed there), as a row of the shape
/// the database keeps, with where it sits on the broker.</summary>
/// <param name="Row">Its fields, read from the copy's envelope and <c>dead-letter-*</c> headers.</param>
/// <param name="Position">For a person: <c>delivery-tag 3</c>, or <c>partition 0 offset 17</c>.</param>
/// <param name="Handle">What the reader needs to remove it (a delivery tag, a partition and offset).</param>
internal sealed record BrokerDeadLetter(DeadLetter Row, string Position, object Handle);
