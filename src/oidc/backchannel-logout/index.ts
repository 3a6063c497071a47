export { LogoutNotifier, backchannelLogoutUrl, BACKCHANNEL_LOGOUT_EVENT, DEFAULT_DELIVERY, type DeliveryOptions } from './logout-notifier.ts';
