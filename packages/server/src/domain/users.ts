export { createUserByEmail, createUserByMobile, requireUser, setUserFlags } from '../modules/merchants/index.js';
