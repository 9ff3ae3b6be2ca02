namespace Messaging.Transport;

/// <summary>
/// The handling pipeline a transport calls for each received message. It runs the handlers (with
/// retries) and says whether to acknowledge or dead-letter. It throws only when processing was
/// cancelled, or when the key-order gate (<see cref="Messaging.Handling.IKeyOrderGate"/>) could not reach its store; the
/// transport then leaves the message unacknowledged, so it comes again.
/// </summary>
/// <param name="message">The received message.</param>
/// <param name="cancellationToken">Cancelled on shutdown.</param>
/// <returns>What the transport must do with the message.</returns>
public delegate Task<ProcessingResult> MessageProcessor(IncomingMessage message, CancellationToken cancellationToken);
