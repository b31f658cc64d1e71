export * from './wait-for';
export * from './fixtures';
export * from './topic-capture';
