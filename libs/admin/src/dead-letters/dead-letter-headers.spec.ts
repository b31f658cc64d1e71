import { DeadLetterHeaders } from '@tributary/projections';
import { DEAD_LETTER_HEADERS } from './dead-letter.store';

describe('dead-letter headers', () => {
  it('are the ones @tributary/projections writes', () => {
    expect(DEAD_LETTER_HEADERS).toEqual({ ...DeadLetterHeaders });
  });
});
