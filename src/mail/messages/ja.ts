/** 日本語のメール本文（キーは en.ts と同じ）。未定義のキーは英語になります。 */
export const ja: Record<string, string> = {
  emailTestSubject: '[{0}] SMTP テストメッセージ',
  emailTestBody: 'このメッセージは、レルム {0} の SMTP 設定をテストするために holdfast から送信されました。',
  emailTestBodyHtml: '<p>このメッセージは、レルム <b>{0}</b> の SMTP 設定をテストするために holdfast から送信されました。</p>',
  emailVerificationSubject: 'メールアドレスの確認',
  emailVerificationBody:
    'このメールアドレスで {2} のアカウントが作成または変更されました。お心当たりがある場合は、次のリンクを開いてメールアドレスを確認してください。\n\n{0}\n\nこのリンクの有効期限は {1} です。\n\nお心当たりがない場合は、このメッセージを無視してください。',
  emailVerificationBodyHtml:
    '<p>このメールアドレスで {2} のアカウントが作成または変更されました。お心当たりがある場合は、次のリンクを開いてメールアドレスを確認してください。</p><p><a href="{0}">メールアドレスを確認する</a></p><p>このリンクの有効期限は {1} です。</p><p>お心当たりがない場合は、このメッセージを無視してください。</p>',
  passwordResetSubject: 'パスワードの再設定',
  passwordResetBody:
    '{2} のアカウントのパスワード再設定が要求されました。お心当たりがある場合は、次のリンクを開いて新しいパスワードを設定してください。\n\n{0}\n\nこのリンクの有効期限は {1} です。\n\nお心当たりがない場合は、このメッセージを無視してください。パスワードは変更されません。',
  passwordResetBodyHtml:
    '<p>{2} のアカウントのパスワード再設定が要求されました。お心当たりがある場合は、次のリンクを開いて新しいパスワードを設定してください。</p><p><a href="{0}">新しいパスワードを設定する</a></p><p>このリンクの有効期限は {1} です。</p><p>お心当たりがない場合は、このメッセージを無視してください。パスワードは変更されません。</p>',
  executeActionsSubject: 'アカウント情報の更新',
  executeActionsBody:
    '管理者から {2} のアカウントの更新を求められています：{3}。次のリンクを開いて開始してください。\n\n{0}\n\nこのリンクの有効期限は {1} です。\n\nお心当たりがない場合は、管理者にお問い合わせください。',
  executeActionsBodyHtml:
    '<p>管理者から {2} のアカウントの更新を求められています：{3}。次のリンクを開いて開始してください。</p><p><a href="{0}">アカウントを更新する</a></p><p>このリンクの有効期限は {1} です。</p><p>お心当たりがない場合は、管理者にお問い合わせください。</p>',
  'requiredAction.UPDATE_PASSWORD': 'パスワードの変更',
  'requiredAction.VERIFY_EMAIL': 'メールアドレスの確認',
  'requiredAction.UPDATE_PROFILE': 'プロフィールの更新',
  'requiredAction.CONFIGURE_TOTP': 'ワンタイムコードの設定',
  'requiredAction.TERMS_AND_CONDITIONS': '利用規約',
  'requiredAction.UPDATE_EMAIL': 'メールアドレスの変更',
  'linkExpirationFormatter.timePeriodUnit.seconds': '{0} 秒',
  'linkExpirationFormatter.timePeriodUnit.minutes': '{0} 分',
  'linkExpirationFormatter.timePeriodUnit.hours': '{0} 時間',
  'linkExpirationFormatter.timePeriodUnit.days': '{0} 日',
};
