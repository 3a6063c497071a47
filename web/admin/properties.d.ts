declare module '*.properties' {
  const text: string;
  export default text;
}
