/** A reply could not be sent because the caller's reply topic no longer exists (its caller stopped). Internal. */
export class ReplyTopicGoneError extends Error {
  constructor(readonly topic: string) {
    super(`reply topic ${topic} no longer exists (its caller stopped or it was deleted)`);
    this.name = 'ReplyTopicGoneError';
  }
}
