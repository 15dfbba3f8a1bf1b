/*
 * kakao-mock's stand-in for the Kakao JavaScript SDK v2 (kakao.js / kakao.min.js), for tests that
 * cannot load the real file (offline CI). kakao-mock/playwright serves it at the SDK's CDN URLs
 * (routeKakaoSdk, docs/kakao-wire.md §3.6). It offers what a login page uses, with the SDK's own
 * argument checks, request parameters and answer shapes:
 *   Kakao.init / isInitialized / cleanup / VERSION
 *   Kakao.Auth.authorize / setAccessToken / getAccessToken / logout / getStatusInfo
 *   Kakao.API.request
 * It talks to https://kauth.kakao.com and https://kapi.kakao.com like the SDK; routeKakaoSdk sends
 * those to kakao-mock. Plain browser JavaScript, served as it is (no build step). Its hash is not the
 * real file's: a page loading the SDK with `integrity=` must drop it in tests (README).
 */
(function (global) {
  'use strict';

  var AUTH = 'https://kauth.kakao.com';
  var API = 'https://kapi.kakao.com';
  var VERSION = '2.7.4';
  /** The SDK's redirect_uri when none is given (its popup / Kakao Talk flows). */
  var DEFAULT_REDIRECT_URI = 'JS-SDK';

  var appKey = null;
  var accessToken = null;

  function KakaoError(message) {
    this.name = 'KakaoError';
    this.message = message;
    this.stack = new Error(message).stack;
  }
  KakaoError.prototype = Object.create(Error.prototype);
  KakaoError.prototype.constructor = KakaoError;

  var isString = function (x) { return typeof x === 'string'; };
  var isBoolean = function (x) { return typeof x === 'boolean'; };
  var isObject = function (x) { return x !== null && typeof x === 'object'; };
  var isArray = Array.isArray;
  var isInteger = function (x) { return typeof x === 'number' && Math.floor(x) === x; };
  var oneOf = function (values) { return function (x) { return values.indexOf(x) !== -1; }; };

  /** The SDK's processRules: missing and unknown keys, then each value's check; the same messages. */
  function processRules(params, rules, caller) {
    params = params === undefined ? {} : params;
    if (!isObject(params)) throw new Error('params should be an Object');
    var required = rules.required || {};
    var optional = rules.optional || {};
    var defaults = rules.defaults || {};
    Object.keys(defaults).forEach(function (k) { if (params[k] === undefined) params[k] = defaults[k]; });
    var missing = Object.keys(required).filter(function (k) { return !(k in params); });
    if (missing.length) throw new KakaoError('Missing required keys: ' + missing.join(',') + ' at ' + caller);
    var invalid = Object.keys(params).filter(function (k) { return !(k in required) && !(k in optional); });
    if (invalid.length) throw new KakaoError('Invalid parameter keys: ' + invalid.join(',') + ' at ' + caller);
    Object.keys(params).forEach(function (k) {
      var check = required[k] || optional[k];
      if (check(params[k]) === false) throw new KakaoError('Illegal argument for "' + k + '" in ' + caller);
    });
    return params;
  }

  function origin() {
    return location.protocol + '//' + location.hostname + (location.port ? ':' + location.port : '');
  }

  function kakaoAgent() {
    return ['sdk/' + VERSION, 'os/javascript', 'sdk_type/javascript', 'lang/' + navigator.language,
      'device/' + String(navigator.platform).replace(/ /g, '_'), 'origin/' + encodeURIComponent(origin())].join(' ');
  }

  function buildQueryString(params) {
    return Object.keys(params).filter(function (k) { return params[k] !== undefined && params[k] !== null; }).map(function (k) {
      var value = params[k];
      return encodeURIComponent(k) + '=' + encodeURIComponent(isString(value) ? value : JSON.stringify(value));
    }).join('&');
  }

  function randomValue(length) {
    var chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
    var seeds = global.crypto.getRandomValues(new Uint8Array(length));
    return Array.prototype.map.call(seeds, function (s) { return chars[s % chars.length]; }).join('');
  }

  function requireInit(caller) {
    if (appKey === null) throw new KakaoError('Kakao.init() must be called before ' + caller);
  }

  // ---- Kakao.Auth ---------------------------------------------------------------------------

  var authorizeRules = {
    optional: {
      redirectUri: isString, approvalType: oneOf(['project']), scope: isString, throughTalk: isBoolean,
      channelPublicId: isString, serviceTerms: isString, isPopup: isBoolean, state: isString,
      deviceType: oneOf(['watch', 'tv']), prompts: isString, throughSyncplugin: isBoolean,
      loginHint: isString, nonce: isString, settleId: isString,
    },
    defaults: { throughTalk: true, isPopup: false, throughSyncplugin: true },
  };

  /** The parameters the SDK puts on /oauth/authorize (its makeAuthParams / makeWebAuthParams). */
  function authorizeParams(settings) {
    var params = { client_id: appKey };
    if (settings.approvalType) params.approval_type = settings.approvalType;
    if (settings.scope) params.scope = settings.scope;
    if (settings.prompts) params.prompt = settings.prompts;
    if (settings.state) params.state = settings.state;
    if (settings.nonce) params.nonce = settings.nonce;
    if (settings.loginHint) params.login_hint = settings.loginHint;
    if (settings.settleId) params.settle_id = settings.settleId;
    if (settings.deviceType) params.device_type = settings.deviceType;
    if (settings.channelPublicId) params.channel_public_id = settings.channelPublicId;
    if (settings.serviceTerms) params['extra.service_terms'] = settings.serviceTerms;
    params.redirect_uri = settings.redirectUri || DEFAULT_REDIRECT_URI;
    params.response_type = 'code';
    params.auth_tran_id = randomValue(60);
    params.ka = kakaoAgent();
    params.is_popup = settings.isPopup;
    return params;
  }

  /**
   * Redirects the page to Kakao's authorize URL. The stand-in has no Kakao Talk (easy login) or
   * popup flow: the page leaves for the login page and comes back to `redirectUri` with the code, so
   * the promise, like the SDK's in that case, never settles.
   */
  function authorize(settings) {
    requireInit('Auth.authorize');
    settings = processRules(settings, authorizeRules, 'Auth.authorize');
    location.href = AUTH + '/oauth/authorize?' + buildQueryString(authorizeParams(settings));
    return new Promise(function () {});
  }

  function storageKey() {
    return 'kakao_mock_stand_in_access_token_' + appKey;
  }

  function setAccessToken(token, persist) {
    requireInit('Auth.setAccessToken');
    accessToken = token;
    if (token === null || token === undefined || persist === false) global.sessionStorage.removeItem(storageKey());
    else global.sessionStorage.setItem(storageKey(), token);
  }

  function getAccessToken() {
    requireInit('Auth.getAccessToken');
    if (accessToken === null) accessToken = global.sessionStorage.getItem(storageKey());
    return accessToken;
  }

  /** POST /v1/user/logout, then the token is forgotten whatever the answer (the SDK's `finally`). */
  function logout() {
    requireInit('Auth.logout');
    var forget = function () { setAccessToken(null); };
    return request({ url: '/v1/user/logout' }).then(
      function (res) { forget(); return res; },
      function (err) { forget(); throw err; });
  }

  function getStatusInfo() {
    requireInit('Auth.getStatusInfo');
    if (!getAccessToken()) return Promise.reject({ status: 'not_connected' });
    return request({ url: '/v2/user/me' }).then(
      function (user) { return { status: 'connected', user: user }; },
      function () { return { status: 'not_connected' }; });
  }

  // ---- Kakao.API ----------------------------------------------------------------------------

  /** The APIs a login page calls, with the SDK's methods and data checks (its apiRules). */
  var API_RULES = {
    '/v1/user/signup': { method: 'POST', data: { optional: { properties: isObject } } },
    '/v1/user/unlink': { method: 'POST', data: {} },
    '/v2/user/me': { method: 'GET', data: { optional: { property_keys: isArray, secure_resource: isBoolean } } },
    '/v1/user/logout': { method: 'POST', data: {} },
    '/v1/user/update_profile': { method: 'POST', data: { required: { properties: isObject } } },
    '/v1/user/access_token_info': { method: 'GET', data: {} },
    '/v2/user/scopes': { method: 'GET', data: { optional: { scopes: isArray } } },
    '/v2/user/revoke/scopes': { method: 'POST', data: { required: { scopes: isArray } } },
    '/v1/user/service/terms': { method: 'GET', data: { optional: { extra: isString } } },
    '/v1/user/shipping_address': { method: 'GET', data: { optional: { address_id: isInteger, from_updated_at: isInteger, page_size: isInteger } } },
    '/v1/api/talk/profile': { method: 'GET', data: { optional: { secure_resource: isBoolean } } },
    '/v1/api/talk/friends': { method: 'GET', data: { optional: { offset: isInteger, limit: isInteger, order: isString, friend_order: isString, secure_resource: isBoolean } } },
    '/v2/api/talk/memo/default/send': { method: 'POST', data: { required: { template_object: isObject } } },
    '/v1/api/talk/channels': { method: 'GET', data: { optional: { channel_public_ids: isArray } } },
  };

  /**
   * Resolves with the parsed answer on HTTP 200, else rejects with it (kapi's `{msg, code}`), as the
   * SDK's httpRequest does.
   */
  function request(settings) {
    requireInit('API.request');
    settings = processRules(settings, { required: { url: oneOf(Object.keys(API_RULES)) }, optional: { data: isObject, files: isObject, file: isObject }, defaults: { data: {} } }, 'API.request');
    var rule = API_RULES[settings.url];
    var data = processRules(settings.data, rule.data, 'API.request - ' + settings.url);
    var body = buildQueryString(data);
    var url = API + settings.url + (rule.method === 'POST' || !body ? '' : '?' + body);
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(rule.method, url);
      if (rule.method === 'POST') xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
      xhr.setRequestHeader('KA', kakaoAgent());
      xhr.setRequestHeader('Authorization', 'Bearer ' + getAccessToken());
      xhr.setRequestHeader('Cache-Control', 'no-cache, no-store, max-age=0, must-revalidate');
      xhr.setRequestHeader('Pragma', 'no-cache');
      xhr.onreadystatechange = function () {
        if (xhr.readyState !== XMLHttpRequest.DONE) return;
        var parsed;
        try { parsed = JSON.parse(xhr.response); } catch { parsed = xhr.response; }
        if (xhr.status === 200) resolve(parsed); else reject(parsed);
      };
      xhr.send(rule.method === 'POST' ? body : null);
    });
  }

  // ---- Kakao --------------------------------------------------------------------------------

  function init(key) {
    if (appKey !== null) throw new KakaoError('Kakao.init: Already initialized.');
    if (!isString(key) || key === '') throw new KakaoError('Kakao.init: App key must be provided');
    appKey = key;
  }

  function isInitialized() {
    return appKey !== null;
  }

  function cleanup() {
    appKey = null;
    accessToken = null;
  }

  var Kakao = global.Kakao = global.Kakao || {};
  Kakao.VERSION = VERSION;
  Kakao.init = init;
  Kakao.isInitialized = isInitialized;
  Kakao.cleanup = cleanup;
  Kakao.Auth = { authorize: authorize, setAccessToken: setAccessToken, getAccessToken: getAccessToken, logout: logout, getStatusInfo: getStatusInfo, cleanup: function () {} };
  Kakao.API = { request: request, cleanup: function () {} };
  Kakao.KakaoError = KakaoError;
  Kakao.isStandIn = true;
})(window);
