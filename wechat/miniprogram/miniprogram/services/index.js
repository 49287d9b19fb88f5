// The mini-program's one way to the guanjia API.
module.exports = {
  auth: require('./auth'),
  config: require('./config'),
  complaints: require('./complaints'),
  notices: require('./notices'),
  wechat: require('./wechat'),
  user: require('./user'),
  volunteer: require('./volunteer'),
  organiser: require('./organiser'),
  credit: require('./credit'),
  dispute: require('./dispute'),
  poi: require('./poi'),
  approval: require('./approval'),
  law: require('./law'),
  weather: require('./weather'),
  ApiError: require('./errors').ApiError,
}
