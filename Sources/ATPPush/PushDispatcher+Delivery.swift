import ATPEngine
import ATPHTTP
import Foundation

/// Starting attempts and acting on their outcomes (dispatcher thread only).
extension PushDispatcher {
    /// Starts as many attempts for `state` as its pause, breaker, `burst` (requests at once) and
    /// token bucket allow: due retries first, then new batches (urgent skus first).
    /// - Complexity: O(retries + skus batched).
    func schedule(_ state: ChannelPushState, now: Int64) {
        guard !state.disabled, now >= state.pausedUntil else { return }
        while state.inFlight.count < state.delivery.burst {
            let due = state.retries.firstIndex { $0.dueAt <= now }
            guard due != nil || state.hasQueued else { return }
            guard state.breaker.allows(now: now), state.bucket.wait(now: now) == 0 else { return }
            var delivery: Delivery
            if let due {
                delivery = state.retries.remove(at: due)
            } else {
                let batch = state.takeBatch()
                guard !batch.isEmpty else { return }
                delivery = Delivery(
                    id: nextWebhookID(), channel: state.name, skus: batch.map(\.sku),
                    updates: batch.map { item in
                        PushedUpdate(
                            sku: engine.inventory.skus.string(item.sku), available: item.pending.value,
                            at: item.pending.at)
                    }, since: batch.map(\.pending.since))
            }
            _ = state.bucket.take(now: now)
            state.breaker.sent()
            delivery.attempts += 1
            state.inFlight[delivery.id] = delivery
            send(delivery, state: state)
        }
    }

    private func send(_ delivery: Delivery, state: ChannelPushState) {
        let timestamp = Int64(Date().timeIntervalSince1970)
        var headers = [("webhook-id", delivery.id), ("webhook-timestamp", String(timestamp))]
        if let key = state.key {
            headers.append(
                (
                    "webhook-signature",
                    WebhookSignature.sign(
                        key: key, id: delivery.id, timestamp: timestamp, body: delivery.body)
                ))
        }
        let request = HTTPClientRequest(
            method: .post, endpoint: state.endpoint, headers: headers, body: delivery.body,
            contentType: "application/json")
        let address = state.endpoint.address
        let name = state.name
        let generation = generations[name] ?? 0
        let id = delivery.id
        let client = client
        senders.submit { [self] in
            let outcome: AttemptOutcome
            do throws(HTTPClientError) {
                let response = try client.send(request, to: address)
                outcome = AttemptOutcome(
                    status: response.status, retryAfterSeconds: response.retryAfterSeconds)
            } catch {
                outcome = .failed(error.isTimeout ? "timed out" : error.description)
            }
            post(.outcome(channel: name, generation: generation, deliveryID: id, outcome))
        }
    }

    func handle(_ message: Message, now: Int64) {
        switch message {
        case .replay(let channel, let skus):
            guard let state = channels[channel] else { return }
            let inventory = engine.inventory
            let at = engine.clock.now()
            for sku in skus {
                guard let id = inventory.skus.find(sku) else { continue }
                state.force(id, value: state.compiled.available(sku: id, in: inventory), at: at, now: now)
            }
        case .outcome(let channel, let generation, let id, let outcome):
            guard let state = channels[channel], generations[channel] == generation,
                var delivery = state.inFlight.removeValue(forKey: id)
            else { return }
            apply(outcome, to: &delivery, state: state, now: now)
        }
    }

    private func apply(
        _ outcome: AttemptOutcome, to delivery: inout Delivery, state: ChannelPushState, now: Int64
    ) {
        let counters = state.counters
        switch outcome {
        case .delivered:
            state.breaker.succeeded()
            counters.sent.add(1, ordering: .relaxed)
            counters.updatesSent.add(delivery.updates.count, ordering: .relaxed)
            counters.lastSuccessMilliseconds.store(
                Int64(Date().timeIntervalSince1970 * 1000), ordering: .relaxed)
            for since in delivery.since { counters.observeLag(now - since) }
            state.release(delivery, deadLettered: false)
        case .throttled(_, let seconds):
            // Flow control, not failure: pause the channel, retry without spending an attempt.
            state.breaker.released()
            counters.throttled.add(1, ordering: .relaxed)
            let wait =
                seconds.map { Int64($0) * 1_000_000 }
                ?? Backoff.delay(
                    afterAttempt: delivery.attempts, baseMilliseconds: configuration.retryBaseMilliseconds,
                    capMilliseconds: configuration.retryCapMilliseconds, using: &random)
            state.pausedUntil = max(state.pausedUntil, now + wait)
            delivery.attempts -= 1
            delivery.dueAt = state.pausedUntil
            state.retries.append(delivery)
        case .gone:
            state.breaker.released()
            state.release(delivery, deadLettered: true)
            disable(state)
        case .failed(let why):
            counters.failedAttempts.add(1, ordering: .relaxed)
            state.breaker.failed(now: now)
            delivery.lastError = why
            if delivery.attempts >= state.delivery.maxAttempts {
                deadLetter(delivery, state: state)
            } else {
                delivery.dueAt =
                    now
                    + Backoff.delay(
                        afterAttempt: delivery.attempts,
                        baseMilliseconds: configuration.retryBaseMilliseconds,
                        capMilliseconds: configuration.retryCapMilliseconds, using: &random)
                state.retries.append(delivery)
            }
        }
        counters.breaker.store(state.breaker.state.rawValue, ordering: .relaxed)
    }

    private func deadLetter(_ delivery: Delivery, state: ChannelPushState) {
        let letter = DeadLetter(
            channel: state.name, webhookID: delivery.id, updates: delivery.updates,
            attempts: delivery.attempts,
            lastError: delivery.lastError, failedAt: engine.clock.now())
        durable.commitUnawaited { engine.addDeadLetter(letter, into: &$0) }
        state.counters.deadLettered.add(1, ordering: .relaxed)
        state.release(delivery, deadLettered: true)
    }

    /// 410 Gone: stop delivering to the channel and record that in its definition (a new
    /// definition through the API enables it again, with a full resync).
    private func disable(_ state: ChannelPushState) {
        state.disabled = true
        state.counters.disabled.store(true, ordering: .relaxed)
        guard var view = engine.channel(named: state.name)?.view, view.delivery != nil,
            view.delivery?.disabled == false
        else { return }
        view.delivery!.disabled = true
        durable.commitUnawaited { _ = try? engine.define(view, into: &$0) }
    }
}
