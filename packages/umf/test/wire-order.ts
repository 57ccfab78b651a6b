/** The short-form keys of a UMF message in the order Hydra 1.x writes them on the wire. */
export const SHORT_KEYS_IN_WIRE_ORDER = [
  'to',
  'frm',
  'hdr',
  'mid',
  'rmid',
  'sig',
  'tmo',
  'ts',
  'typ',
  'ver',
  'via',
  'fwd',
  'bdy',
  'aut',
];
