/** Counters of what the messaging layer saw and did; read them in health checks and tests. */
export interface MessagingStats {
  /** Well-formed messages received (requests, events, broadcasts and replies). */
  received: number;
  /** Replies that settled one of our requests. */
  replies: number;
  /** Messages with an `rmid` that matched no waiting request (late, forged, or meant for a handler). */
  unmatchedReplies: number;
  /** Payloads dropped because they were not JSON or not a valid UMF message. */
  malformed: number;
  /**
   * Valid messages no handler took: this instance serves no UMF messages, is stopping, or kept more
   * than it can before its handler was installed. Requests among them get a 503 error reply.
   */
  refused: number;
  /**
   * Messages refused because signing is enforced (`messaging.signing`) and they were unsigned or their
   * signature matched no secret; requests among them get a 401 error reply.
   */
  unauthenticated: number;
  /** Requests whose sender's deadline (`tmo`) had passed before their handler could start: not run. */
  expired: number;
  /** Messages published (sends, broadcasts, replies, retries). */
  sent: number;
  /** Requests that expired. */
  timeouts: number;
  /** Requests sent again to another instance (none present yet, the chosen one vanished or refused). */
  retries: number;
}
