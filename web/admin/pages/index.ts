/**
 * Every section of the console, in nav order. Each area keeps its pages in its own folder and
 * adds one entry here.
 */
import type { Section } from './section.ts';
import { RealmHome } from './realm-home/realm-home.tsx';

export const SECTIONS: Section[] = [
  { id: 'home', label: 'navRealmHome', requires: [], group: 'manage', component: RealmHome },
];
