// Every service uses the shared basics (money, retry policy, log keys) through ServiceKit.
@_exported import Common
