export { HttpKytProvider, screeningRequestBody, verdictOfAnswer, type HttpKytProviderOptions } from '../../modules/kyt/index.js';
