export type { KytProvider, KytSubject, KytVerdict } from '../../modules/kyt/index.js';
