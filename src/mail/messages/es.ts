/** Textos de los correos en español (mismas claves que en.ts); las claves que faltan usan el inglés. */
export const es: Record<string, string> = {
  emailTestSubject: '[{0}] Mensaje de prueba SMTP',
  emailTestBody: 'holdfast ha enviado este mensaje para probar la configuración SMTP del realm {0}.',
  emailTestBodyHtml: '<p>holdfast ha enviado este mensaje para probar la configuración SMTP del realm <b>{0}</b>.</p>',
  emailVerificationSubject: 'Verifique su dirección de correo electrónico',
  emailVerificationBody:
    'Alguien ha creado o modificado una cuenta de {2} con esta dirección de correo. Si ha sido usted, abra el siguiente enlace para confirmar la dirección.\n\n{0}\n\nEl enlace caduca en {1}.\n\nSi no lo ha solicitado, puede ignorar este mensaje.',
  emailVerificationBodyHtml:
    '<p>Alguien ha creado o modificado una cuenta de {2} con esta dirección de correo. Si ha sido usted, abra el siguiente enlace para confirmar la dirección.</p><p><a href="{0}">Confirmar la dirección de correo</a></p><p>El enlace caduca en {1}.</p><p>Si no lo ha solicitado, puede ignorar este mensaje.</p>',
  passwordResetSubject: 'Restablezca su contraseña',
  passwordResetBody:
    'Alguien ha pedido restablecer la contraseña de su cuenta de {2}. Si ha sido usted, abra el siguiente enlace para elegir una nueva contraseña.\n\n{0}\n\nEl enlace caduca en {1}.\n\nSi no lo ha solicitado, puede ignorar este mensaje: su contraseña no cambiará.',
  passwordResetBodyHtml:
    '<p>Alguien ha pedido restablecer la contraseña de su cuenta de {2}. Si ha sido usted, abra el siguiente enlace para elegir una nueva contraseña.</p><p><a href="{0}">Elegir una nueva contraseña</a></p><p>El enlace caduca en {1}.</p><p>Si no lo ha solicitado, puede ignorar este mensaje: su contraseña no cambiará.</p>',
  executeActionsSubject: 'Actualice su cuenta',
  executeActionsBody:
    'Su administrador le pide que actualice su cuenta de {2}: {3}. Abra el siguiente enlace para empezar.\n\n{0}\n\nEl enlace caduca en {1}.\n\nSi no esperaba este mensaje, póngase en contacto con su administrador.',
  executeActionsBodyHtml:
    '<p>Su administrador le pide que actualice su cuenta de {2}: {3}. Abra el siguiente enlace para empezar.</p><p><a href="{0}">Actualizar la cuenta</a></p><p>El enlace caduca en {1}.</p><p>Si no esperaba este mensaje, póngase en contacto con su administrador.</p>',
  'requiredAction.UPDATE_PASSWORD': 'Cambiar la contraseña',
  'requiredAction.VERIFY_EMAIL': 'Verificar el correo electrónico',
  'requiredAction.UPDATE_PROFILE': 'Actualizar el perfil',
  'requiredAction.CONFIGURE_TOTP': 'Configurar códigos de un solo uso',
  'requiredAction.TERMS_AND_CONDITIONS': 'Términos y condiciones',
  'requiredAction.UPDATE_EMAIL': 'Cambiar el correo electrónico',
  'linkExpirationFormatter.timePeriodUnit.seconds': '{0} segundos',
  'linkExpirationFormatter.timePeriodUnit.minutes': '{0} minutos',
  'linkExpirationFormatter.timePeriodUnit.hours': '{0} horas',
  'linkExpirationFormatter.timePeriodUnit.days': '{0} días',
};
